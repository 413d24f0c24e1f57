"""The project deletion job's work: a hidden project's documents, annotations and
assignments in batches, its imported identities' accounts, then the project (whose own rows
cascade). Here, not in projects/, since it knows the annotation models."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from annotation.models import Annotation, Assignment, Document, ImportedIdentity
from projects.errors import ServiceError
from projects.models import Project

BATCH = 2000


def project_purge(*, project_id: int, progress: Callable[[float, str], None]) -> dict:
    """Delete a hidden project's data in bounded batches. Safe to run again after a crash."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return {"deleted_documents": 0}
    if project.deleted_at is None:
        raise ServiceError(_("This project is not marked for deletion."))
    total = Document.objects.filter(project_id=project_id).count() or 1
    done = 0
    while ids := list(Document.objects.filter(project_id=project_id)
                      .values_list("id", flat=True)[:BATCH]):
        with transaction.atomic():
            Assignment.objects.filter(document_id__in=ids).delete()
            Annotation.objects.filter(document_id__in=ids).delete()
            Document.objects.filter(id__in=ids).delete()
        done += len(ids)
        progress(min(done / total, 0.99), _("Deleted %(n)d documents") % {"n": done})
    # The project's imported identities (annotation.models.ImportedIdentity): accounts that
    # exist for its annotations alone (deleted above, so nothing protects them), in batches.
    while users := list(ImportedIdentity.objects.filter(project_id=project_id)
                        .values_list("user_id", flat=True)[:BATCH]):
        with transaction.atomic():
            User.objects.filter(pk__in=users).delete()
    with transaction.atomic():
        project.delete()
    return {"deleted_documents": done}
