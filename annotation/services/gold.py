"""Gold: the adjudicated annotation of a document, saved by a reviewer or auto-accepted.

Every save goes through `gold_save`: the content is validated as an annotation is, the
version the writer read is checked (a stale one is a 409, so two reviewers saving at once
never overwrite each other), the document becomes `reviewed`, and the saved state is kept
as a `GoldRevision` (who, when, version, content) and reported to the audit log.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Document,
    DocumentStatus,
    GoldRevision,
    GoldSource,
)
from annotation.pure.content import as_native
from annotation.pure.review import change, unanimous
from annotation.selectors.documents import project_schema_cached
from annotation.selectors.gold import document_labellings
from annotation.services import rows
from annotation.services.agents.training import training_schedule
from annotation.services.store import (
    annotation_store,
    document_refresh_status,
    parse_content,
)
from projects.errors import Conflict, ServiceError
from projects.models import AuditAction
from projects.services.audit import audit_record


@dataclass(frozen=True)
class GoldSaved:
    annotation: Annotation
    content: dict[str, Any]  # native, as stored


@transaction.atomic
def gold_save(*, document: Document, content: dict[str, Any], by: User | None,
              version: int | None, source: str = GoldSource.REVIEW) -> GoldSaved:
    """Replace the document's gold. `version` is the one the writer read (0: none yet);
    a stale one raises Conflict. `by` is the reviewer, None when auto-accepted."""
    if source not in GoldSource.values:
        raise ServiceError.field("source", _("Unknown gold source."))
    parsed = parse_content(document, content)
    try:
        gold = annotation_store(document=document, parsed=parsed, annotator=by,
                                kind=AnnotationKind.GOLD, status=AnnotationStatus.SUBMITTED,
                                version=version, seconds_spent=0.0)
    except Conflict as exc:
        raise Conflict(_("Someone else saved this document's gold since you opened it; "
                         "reload to see their version. Nothing was overwritten."),
                       exc.errors) from exc
    native = as_native(parsed, document.text, project_schema_cached(project=document.project))
    previous = (GoldRevision.objects.filter(document=document).order_by("-version")
                .values_list("content", flat=True).first())
    GoldRevision.objects.create(project_id=document.project_id, document=document,
                                version=gold.version, source=source, by=by, content=native)
    gold_audit(document=document, by=by, version=gold.version, source=source,
               changed=change(previous, native).as_dict())
    training_schedule(project_id=document.project_id)  # new gold may call for a new model
    return GoldSaved(gold, native)


def gold_audit(*, document: Document, by: User | None, version: int, source: str,
               changed: dict[str, Any]) -> None:
    """The one place a gold save is reported to the project's audit log."""
    audit_record(project=document.project, actor=by, action=AuditAction.GOLD_CHANGE,
                 target=str(document), data={"document": document.pk, "version": version,
                                             "source": source, "change": changed})


def document_submitted(*, document: Document) -> GoldSaved | None:
    """After an annotator's submission, inside its transaction: lock the document's row and
    recount its status, so that of two annotators submitting the last annotations at once,
    the second sees both (each alone would count k - 1). Then, when the project
    auto-accepts and the document has k submitted annotations that agree exactly, they
    become its gold, saved by nobody and recorded as auto-accepted."""
    rows.document_lock(document_id=document.pk)
    status = document_refresh_status(document=document)
    project = document.project
    if status != DocumentStatus.ANNOTATED or not project.auto_accept_gold:
        return None  # fewer than k submissions, gold already set, or no auto-accept
    contents = [lab.content for lab in document_labellings(document=document)]
    if len(contents) < project.overlap or not unanimous(contents):
        return None
    return gold_save(document=document, content=contents[0], by=None, version=0,
                     source=GoldSource.AUTO)
