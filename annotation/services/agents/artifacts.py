"""Model artifacts in the server's storage: written by training, read by the suggestion
job. Never read from anything a user uploaded; the sha256 recorded at training is checked
before an artifact is loaded."""

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from annotation.models import AgentVersion


def artifact_write(*, project_id: int, agent: str, number: int, model: Any) -> tuple[str, str]:
    """Store the model; (storage name, sha256)."""
    from annotation.pure.assist import artifact  # with the models it stores (see training)

    data = artifact.dump(model)
    digest = artifact.digest(data)
    name = default_storage.save(f"agents/{project_id}/{agent}/{number}-{digest[:12]}.pkl",
                                ContentFile(data))
    return name, digest


def artifact_read(*, version: AgentVersion) -> Any:
    """The version's model. Raises artifact.ArtifactError when the file is missing or its
    content is not what training wrote."""
    from annotation.pure.assist import artifact

    if not version.artifact:
        raise artifact.ArtifactError("The version has no model file.")
    try:
        with default_storage.open(version.artifact, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise artifact.ArtifactError(f"The model file is missing ({exc.__class__.__name__}).") \
            from exc
    return artifact.load(data, version.artifact_sha256)
