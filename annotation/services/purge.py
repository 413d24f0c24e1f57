"""The project deletion job's work: a hidden project's documents, annotations and
assignments in batches, its imported identities' accounts, then the project (whose own rows
cascade). Here, not in projects/, since it knows the annotation models."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import CASCADE, ForeignObjectRel, ManyToManyRel, Model
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


def cascade_delete(*, model: type[Model], ids: list[int]) -> int:
    """Delete rows of `model` by id, and first every row that cascades from them, one
    set-based DELETE per table (the ORM's cascade reads the ids of every dependent row and
    deletes them a hundred at a time: 199 statements for 1,000 documents). The dependents
    come from the models' own relations, so a new one is never missed; a relation that is
    not a cascade (PROTECT, SET_NULL...) is refused, as this does not apply it. Inside the
    caller's transaction. Returns the rows of `model` deleted."""
    if not ids:
        return 0
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        return _delete_where(cursor, model, f"{_q('id')} IN ({marks})", list(ids))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _delete_where(cursor: Any, model: type[Model], where: str, params: list[Any]) -> int:
    table = _q(model._meta.db_table)
    for rel in model._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or isinstance(rel, ManyToManyRel):
            continue
        if rel.on_delete is not CASCADE:
            raise ValueError(f"{rel.related_model.__name__}.{rel.field.name} does not "
                             f"cascade: cascade_delete cannot delete {model.__name__}")
        column = _q(str(rel.field.column))
        _delete_where(cursor, rel.related_model,
                      f"{column} IN (SELECT {_q('id')} FROM {table} WHERE {where})", params)
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
    return max(cursor.rowcount, 0)
