"""An annotator's own save, the labeling hot path's write: the lease checked and renewed
(assignments.py), the content stored (store.py), and on submit the document's status, gold
and gold-check score, and the agreement job scheduled."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from annotation.models import AnnotationKind, AnnotationStatus, AssignmentStatus, Document
from annotation.pure.changes import ChangeError, apply_changes
from annotation.selectors.documents import project_schema_cached
from annotation.selectors.gold import own_content
from annotation.selectors.labeling import Saved
from annotation.services.agreement.jobs import agreement_schedule
from annotation.services.assignments import assignment_for_write, leased_for_write
from annotation.services.gold import document_submitted
from annotation.services.gold_checks import gold_check_score
from annotation.services.store import annotation_store, parse_content, stale_version
from projects.errors import Conflict, ServiceError
from projects.models import Project


@transaction.atomic
def annotation_write(*, project: Project, document_id: int, user: User,
                     content: dict[str, Any] | None, version: int, status: str,
                     seconds_spent: float, changes: dict[str, Any] | None = None) -> Saved:
    """An annotator's own save: draft (autosave) or submit, on a document leased to them.
    The whole `content`, or the `changes` to the stored annotation (of `version`: another
    version is a Conflict, as for a whole save)."""
    if status not in AnnotationStatus.values:
        raise ServiceError.field("status", _("Use draft or submitted."))
    assignment = leased_for_write(project=project, user=user, document_id=document_id)
    document = assignment.document
    if changes is not None:
        content = _changed(document, user, version, changes)
    assert content is not None
    schema = project_schema_cached(project=project)
    parsed = parse_content(document, content, schema)
    submit = status == AnnotationStatus.SUBMITTED
    if assignment.status == AssignmentStatus.SUBMITTED and not submit:
        raise ServiceError.field("status", _("This annotation is submitted; save it with "
                                             "status submitted to change it."))
    assignment_for_write(project=project, user=user, assignment=assignment, submit=submit)
    if submit:
        agreement_schedule(project_id=project.pk)
    annotation = annotation_store(document=document, parsed=parsed, annotator=user,
                                  kind=AnnotationKind.ANNOTATION, status=status,
                                  version=version, seconds_spent=seconds_spent,
                                  refresh_status=False)
    if submit:
        document_submitted(document=document)  # the document's status; auto-accepted gold
        if document.is_gold_check:
            gold_check_score(document=document, annotator=user, answer=parsed)
    return Saved(annotation, parsed, schema)


def _changed(document: Document, user: User, version: int, changes: Any) -> dict[str, Any]:
    """The whole content that `changes` make of the stored annotation."""
    current, stored = own_content(document=document, user=user)
    if current != version:
        raise stale_version(current)
    try:
        return apply_changes(stored, changes)
    except ChangeError as exc:
        raise Conflict(_("These changes do not fit the stored annotation; reload it."),
                       exc.errors) from exc
