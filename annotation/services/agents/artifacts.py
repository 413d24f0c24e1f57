"""Model artifacts in the server's storage: written by training, read by the suggestion
job. Never read from anything a user uploaded; the sha256 recorded at training is checked
before an artifact is loaded."""

from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from annotation.models import Agent, AgentVersion

KEEP_NEWEST = 3  # versions whose model files are kept, besides the switched-on one
ORPHAN_AGE = timedelta(hours=1)  # a file no version names is deleted once this old


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


def _folder(agent: Agent) -> str:
    return f"agents/{agent.project_id}/{agent.name}"


def artifacts_sweep(*, agent_id: int) -> int:
    """Delete the agent's model files that nothing will read: those of versions older than
    the `KEEP_NEWEST` newest, but the switched-on version's (their versions keep their
    metrics and sha256, with no file), and files no version names once `ORPHAN_AGE` old (a
    run killed between writing its file and committing its version leaves one; younger ones
    may belong to a run still committing). A suggestion run that read the agent just before
    a new version came still finds the previous file. Returns the files deleted."""
    agent = Agent.objects.filter(pk=agent_id).first()
    if agent is None:
        return 0
    versions = list(AgentVersion.objects.filter(agent=agent).order_by("-number")
                    .values_list("pk", "artifact"))
    kept = {pk for pk, _name in versions[:KEEP_NEWEST]}
    if agent.version_id is not None:
        kept.add(agent.version_id)
    named = {name for _pk, name in versions if name}
    keep = {name for pk, name in versions if pk in kept and name}
    try:
        _dirs, files = default_storage.listdir(_folder(agent))
    except FileNotFoundError:
        files = []
    deleted = 0
    for file in files:
        path = f"{_folder(agent)}/{file}"
        if path in keep or (path not in named and _young(path)):
            continue
        default_storage.delete(path)
        deleted += 1
    AgentVersion.objects.filter(agent=agent).exclude(pk__in=kept).exclude(artifact="") \
        .update(artifact="")
    return deleted


def _young(path: str) -> bool:
    try:
        return timezone.now() - default_storage.get_modified_time(path) < ORPHAN_AGE
    except (NotImplementedError, OSError):
        return True
