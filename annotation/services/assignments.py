"""Who labels what: handing out documents, leases, skips.

A document goes to at most `overlap` (k) annotators. Its holders are the annotators whose
assignment is submitted, or active with a lease that has not run out; a lapsed lease needs
no sweeper, it simply stops counting.

Concurrency: every new lease on a document is written while that document's row is locked
(`SELECT ... FOR UPDATE`), and the holders are counted again after the lock is taken. Under
READ COMMITTED the count then sees every lease committed before, so k can never be
exceeded. Candidates are found with `SKIP LOCKED`, so concurrent requests fan out over
different documents instead of queueing on one; when every open document is locked at
that moment, the request waits for one instead of answering "nothing left" while places
remain. Each probe runs in a savepoint that is rolled back when the document turns out
full, so a request waits while holding no document lock and two requests cannot deadlock.
One user's own requests are serialised on their membership row, so a double click cannot
take two documents.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from annotation.models import (
    SKIP_REASON_MAX,
    Assignment,
    AssignmentStatus,
    Document,
)
from annotation.services import rows
from annotation.services.gold_checks import gold_check_next
from projects.errors import Conflict, ServiceError
from projects.models import AuditAction, Project
from projects.services.audit import audit_record

ATTEMPTS = 8


class NotAssigned(ServiceError):
    """The document is not the requester's to label: a 403."""

    status_code = 403


def holders(*, document_id: int, now: datetime, exclude_user: User | None = None) -> int:
    return rows.holders(document_id=document_id, now=now,
                        exclude_user_id=exclude_user.pk if exclude_user is not None else None)


def _resume(project: Project, user: User, now: datetime) -> Assignment | None:
    """The requester's open lease, renewed; a lapsed one is marked expired. Without one, the
    oldest document a manager handed them (`documents_assign`), opened: its place was held
    since, so k cannot be exceeded; the lease starts now."""
    current = rows.lease_open(project_id=project.pk, user_id=user.pk)
    if current is None:
        return None
    if current.status == AssignmentStatus.ASSIGNED or current.expires_at > now:
        current.status = AssignmentStatus.ACTIVE
        current.expires_at = now + timedelta(minutes=project.lease_minutes)
        rows.row_update(model=Assignment, pk=current.pk,
                        fields={"status": current.status, "expires_at": current.expires_at})
        return current
    current.status = AssignmentStatus.EXPIRED
    rows.row_update(model=Assignment, pk=current.pk, fields={"status": current.status})
    return _resume(project, user, now)  # a document handed to them, if any


def _lease(project: Project, user: User, document_id: int, now: datetime) -> Assignment:
    return rows.lease_take(project_id=project.pk, user_id=user.pk, document_id=document_id,
                           now=now, expires_at=now + timedelta(minutes=project.lease_minutes))


@transaction.atomic
def assignment_next(*, project: Project, user: User) -> Assignment | None:
    """The requester's next document: their open lease, else one a manager handed them,
    else a new one; None when done."""
    now = timezone.now()
    rows.membership_lock(project_id=project.pk, user_id=user.pk)
    current = _resume(project, user, now)
    if current is not None:
        return current
    check = gold_check_next(project=project, user=user, now=now)  # takes no slot of k
    if check is not None:
        return _lease(project, user, check, now)
    tried: list[int] = []
    wait = False
    for _attempt in range(ATTEMPTS):
        probe = transaction.savepoint()
        document_id = rows.candidate(project_id=project.pk, user_id=user.pk, now=now,
                                     overlap=project.overlap, tried=tried, wait=wait,
                                     order=project.order)
        if document_id is not None and holders(document_id=document_id, now=now) < project.overlap:
            transaction.savepoint_commit(probe)  # row locked: the count is exact
            return _lease(project, user, document_id, now)
        transaction.savepoint_rollback(probe)  # let go of a full document's lock
        if document_id is None:
            if wait:
                return None
            wait = True  # every open document is being taken right now: wait for one
        else:
            tried.append(document_id)
    return None


@transaction.atomic
def assignment_skip(*, project: Project, user: User, document: Document,
                    reason: str = "") -> Assignment:
    """Give a leased document back, with an optional reason. It does not come back to this
    annotator unless a manager requeues it (`documents_requeue`); their draft annotation,
    if any, is kept as it is."""
    reason = reason.strip()
    if len(reason) > SKIP_REASON_MAX:
        raise ServiceError.field("reason", _("A reason has at most %(n)d characters.")
                                 % {"n": SKIP_REASON_MAX})
    assignment = (Assignment.objects.select_for_update()
                  .filter(document=document, annotator=user).first())
    if assignment is None or assignment.status in (AssignmentStatus.SUBMITTED,
                                                   AssignmentStatus.SKIPPED):
        raise Conflict(_("Only a document you are labeling can be skipped."),
                       [{"field": "document", "message": _("not leased to you")}])
    assignment.status = AssignmentStatus.SKIPPED
    assignment.finished_at = timezone.now()
    assignment.skip_reason = reason
    assignment.save(update_fields=["status", "finished_at", "skip_reason"])
    return assignment


@dataclass(frozen=True)
class Requeued:
    documents: int  # documents that had a skip
    skips: int  # skips undone


AUDITED_SKIPS = 100  # the skips an audit event lists one by one (it counts them all)
REQUEUE_BATCH = 10_000  # ids per UPDATE (SQLite and PostgreSQL cap a statement's parameters)


@transaction.atomic
def documents_requeue(*, project: Project, by: User, documents: QuerySet[Document],
                      scope: dict[str, Any]) -> Requeued:
    """Return skipped documents to the queue: each skip of `documents` (a set of the
    project's documents) becomes like a lease that ran out, so the document is handed out
    again while it is `new` and has room, to the annotator who skipped it too (who then
    resumes their kept draft). `scope` (the ids or filter asked for) goes to the audit log
    with who skipped what and why, since the reasons are cleared."""
    now = timezone.now()
    skips = list(Assignment.objects.select_for_update(of=("self",))
                 .filter(project=project, status=AssignmentStatus.SKIPPED,
                         document__in=documents.values("pk"))
                 .order_by("document_id", "id")
                 .values_list("pk", "document_id", "annotator__username", "skip_reason"))
    ids = [pk for pk, *_rest in skips]
    for at in range(0, len(ids), REQUEUE_BATCH):  # the locked rows, and only those
        Assignment.objects.filter(pk__in=ids[at:at + REQUEUE_BATCH]).update(
            status=AssignmentStatus.EXPIRED, expires_at=now, finished_at=None, skip_reason="")
    done = Requeued(documents=len({doc for _pk, doc, *_rest in skips}), skips=len(skips))
    audit_record(project=project, actor=by, action=AuditAction.REQUEUE,
                 target=ngettext("%(n)d document", "%(n)d documents", done.documents)
                 % {"n": done.documents},
                 data={**scope, "documents": done.documents, "skips": done.skips,
                       "returned": [{"document": doc, "annotator": who, "reason": why}
                                    for _pk, doc, who, why in skips[:AUDITED_SKIPS]]})
    return done


def _write_changes(assignment: Assignment, project: Project, now: datetime, *, submit: bool,
                   lapsed: bool) -> list[str]:
    """What a save changes on the assignment: submitted, or a renewed lease. An autosave
    renews only when less than half the lease is left, so most autosaves write nothing."""
    if submit:
        if assignment.status == AssignmentStatus.SUBMITTED:
            return []
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.finished_at = now
        return ["status", "finished_at"]
    if assignment.status == AssignmentStatus.SUBMITTED:
        return []
    lease = timedelta(minutes=project.lease_minutes)
    if not lapsed and assignment.expires_at - now > lease / 2:
        return []
    assignment.status = AssignmentStatus.ACTIVE
    assignment.expires_at = now + lease
    return ["status", "expires_at"]


def leased_for_write(*, project: Project, user: User, document_id: int) -> Assignment:
    """The requester's assignment of a document, locked, with the document: one query.
    404 when the project has no such document, 403 when it isn't the requester's."""
    assignment = rows.lease_locked(project_id=project.pk, user_id=user.pk,
                                   document_id=document_id)
    if assignment is not None:
        assignment.document.project = project
        return assignment
    if not project.documents.filter(pk=document_id).exists():
        raise Http404("No such document.")
    raise NotAssigned(_("This document is not assigned to you."),
                      [{"field": "document", "message": _("not assigned to you")}])


def assignment_for_write(*, project: Project, user: User, assignment: Assignment,
                         submit: bool) -> Assignment:
    """Check that the requester may still write on their (locked) assignment, renew the
    lease, and mark it submitted when `submit`. Call inside the writing transaction."""
    now = timezone.now()
    document = assignment.document
    lapsed = assignment.status == AssignmentStatus.EXPIRED or (
        assignment.status == AssignmentStatus.ACTIVE and assignment.expires_at <= now)
    if lapsed and not document.is_gold_check:  # a check has no k to keep
        rows.document_lock(document_id=document.pk)
        if holders(document_id=document.pk, now=now, exclude_user=user) >= project.overlap:
            raise Conflict(_("Your lease on this document ran out and it went to other "
                             "annotators. Your draft is kept, but it can no longer be saved."),
                           [{"field": "document", "message": _("lease expired")}])
    fields = _write_changes(assignment, project, now, submit=submit, lapsed=lapsed)
    if fields:
        rows.row_update(model=Assignment, pk=assignment.pk,
                        fields={name: getattr(assignment, name) for name in fields})
    return assignment


BACKFILL_SQL = """
INSERT INTO annotation_assignment
    (project_id, document_id, annotator_id, status, created_at, expires_at, finished_at)
SELECT a.project_id, a.document_id, a.annotator_id,
       CASE WHEN a.status = 'submitted' THEN 'submitted' ELSE 'expired' END,
       a.created_at, a.created_at, a.submitted_at
FROM annotation_annotation a
WHERE a.project_id = %s AND a.kind = 'annotation' AND NOT EXISTS (
    SELECT 1 FROM annotation_assignment s
    WHERE s.document_id = a.document_id AND s.annotator_id = a.annotator_id)
"""


def assignments_backfill(*, project_id: int) -> int:
    """Give annotations made outside the workbench (imports, the demo) the assignment row
    that the k-holders rule counts; one set-based statement. Returns the rows added."""
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL_SQL, [project_id])
        return max(cursor.rowcount, 0)
