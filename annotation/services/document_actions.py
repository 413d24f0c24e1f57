"""The document manager's bulk actions, on chosen documents (ids) or on every document of a
filter (selectors.document_search): return skips to the queue, hand documents to chosen
annotators, make or unmake gold checks, delete.

A set of up to INLINE_MAX documents (a page) is acted on at once, in one transaction. A
larger one becomes a job (JobKind.BULK) that walks the set by id, BATCH documents per
transaction, so row locks stay short while annotators work; a job stopped midway leaves
whole batches done and none half-done, and running it again finds nothing left to do for
those (each action is idempotent). Every action is audited when it is asked for, with its
scope; a job's outcome is its result.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from annotation.models import Assignment, AssignmentStatus, Document
from annotation.selectors.document_search import DocumentQuery, documents_search
from annotation.selectors.gold_checks import with_gold
from annotation.selectors.labeling import live
from annotation.services.assignments import documents_requeue
from annotation.services.progress import progress_invalidate
from annotation.services.purge import cascade_delete
from projects.errors import ServiceError
from projects.models import AuditAction, Job, JobKind, Membership, Project
from projects.permissions import ROLE_RIGHTS, Right
from projects.services.audit import audit_record
from projects.services.jobs import ProgressFn, job_create


class Action(StrEnum):
    REQUEUE = "requeue"
    ASSIGN = "assign"
    GOLD_CHECK = "gold_check"
    UNGOLD_CHECK = "ungold_check"
    DELETE = "delete"


ACTIONS = tuple(action.value for action in Action)
COUNTS = {  # what each action's outcome counts, besides the documents acted on
    Action.REQUEUE: ("skips",), Action.ASSIGN: ("assigned", "already", "full", "gold_checks"),
    Action.GOLD_CHECK: ("changed", "without_gold"), Action.UNGOLD_CHECK: ("changed",),
    Action.DELETE: ("deleted",)}
INLINE_MAX = 50  # documents acted on within the request; more make a job
BATCH = 1000  # documents per transaction in a job
AUDITED_IDS = 100  # of a request's ids, the audit event keeps this many
ANNOTATORS_MAX = 50


@dataclass(frozen=True)
class Selection:
    """The documents a bulk action is for: `ids`, or every match of `filter` (a validated
    DocumentFilter, as JSON)."""

    ids: list[int] | None = None
    filter: dict[str, Any] | None = None

    def documents(self, project: Project) -> QuerySet[Document]:
        if self.ids is not None:
            return project.documents.filter(pk__in=self.ids).order_by("id")
        return documents_search(project=project, query=DocumentQuery.of(self.filter or {}))

    def as_params(self) -> dict[str, Any]:
        """As a job's JSON keeps it."""
        return {"ids": self.ids} if self.ids is not None else {"filter": self.filter or {}}

    @classmethod
    def of(cls, params: dict[str, Any]) -> "Selection":
        return cls(ids=params.get("ids"), filter=params.get("filter"))

    def scope(self) -> dict[str, Any]:
        if self.ids is not None:
            return {"ids": self.ids[:AUDITED_IDS], "count": len(self.ids)}
        return {"filter": self.filter or {}}


@dataclass
class Outcome:
    action: str
    documents: int = 0  # documents of the selection acted on
    counts: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "documents": self.documents,
                **{name: self.counts[name] for name in COUNTS[Action(self.action)]}}


def annotators_for(*, project: Project, usernames: Sequence[str]) -> list[User]:
    """The members named, each of whom may label; a 400 naming the first who may not."""
    names = list(dict.fromkeys(usernames))
    if not names:
        raise ServiceError.field("annotators", _("Choose at least one annotator."))
    if len(names) > ANNOTATORS_MAX:
        raise ServiceError.field("annotators", _("At most %(n)d annotators at once.")
                                 % {"n": ANNOTATORS_MAX})
    roles = dict(Membership.objects.filter(project=project, user__username__in=names)
                 .values_list("user__username", "role"))
    for name in names:
        if name not in roles:
            raise ServiceError.field("annotators", _("%(name)s is not a member of this "
                                                     "project.") % {"name": name})
        if Right.LABEL not in ROLE_RIGHTS[roles[name]]:
            raise ServiceError.field("annotators", _("%(name)s is a %(role)s and may not "
                                                     "label.") % {"name": name,
                                                                  "role": roles[name]})
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return [users[name] for name in names]


def selection_check(project: Project, selection: Selection) -> None:
    """Every chosen id is a document of this project: else 404, and nothing changes."""
    if selection.ids is None:
        return
    wanted = set(selection.ids)
    found = set(project.documents.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise Http404(_("No such document in this project: %(ids)s.")
                      % {"ids": ", ".join(map(str, sorted(wanted - found)[:20]))})


@transaction.atomic
def documents_bulk(*, project: Project, by: User, action: str, selection: Selection,
                   annotators: Sequence[str] = ()) -> Outcome | Job:
    """Act on the selection at once when it is at most a page (the outcome), else start a
    job (returned). `requeue` is one UPDATE, so it never needs a job."""
    if action not in ACTIONS:
        raise ServiceError.field("action", _("Unknown action."))
    users = annotators_for(project=project, usernames=annotators) \
        if action == Action.ASSIGN else []
    selection_check(project, selection)
    docs = selection.documents(project)
    audit = {**selection.scope(), "action": action,
             **({"annotators": [u.username for u in users]} if users else {})}
    if action == Action.REQUEUE:
        done = documents_requeue(project=project, by=by, documents=docs,
                                 scope=selection.scope())
        return Outcome(action, done.documents, Counter(skips=done.skips))
    first = list(docs.values_list("id", flat=True)[:INLINE_MAX + 1])
    if len(first) > INLINE_MAX:
        job = job_create(project=project, kind=JobKind.BULK, by=by, params={
            "action": action, "ids": selection.ids, "filter": selection.filter,
            "annotators": [u.username for u in users]})
        audit_record(project=project, actor=by, action=AuditAction.BULK, target=action,
                     data={**audit, "job": job.pk})
        return job
    outcome = Outcome(action)
    _apply(project, action, first, users, outcome)
    audit_record(project=project, actor=by, action=AuditAction.BULK, target=action,
                 data={**audit, **outcome.as_dict()})
    return outcome


def documents_bulk_run(*, job: Job, progress: ProgressFn) -> dict[str, Any]:
    """A bulk job: the selection, walked by id, BATCH documents per transaction."""
    project = job.project
    if project is None:
        raise ServiceError(_("The project of this bulk action was deleted."))
    params = job.params
    selection = Selection(ids=params.get("ids"), filter=params.get("filter"))
    users = list(User.objects.filter(username__in=params.get("annotators") or []))
    users.sort(key=lambda u: params["annotators"].index(u.username))
    docs = selection.documents(project)
    total = max(1, docs.count())
    outcome, last = Outcome(params["action"]), 0
    while ids := list(docs.filter(id__gt=last).values_list("id", flat=True)[:BATCH]):
        with transaction.atomic():
            _apply(project, params["action"], ids, users, outcome)
        last = ids[-1]
        progress(min(0.99, outcome.documents / total),
                 _("%(n)d documents done") % {"n": outcome.documents})
    return outcome.as_dict()


def _apply(project: Project, action: str, ids: list[int], users: list[User],
           outcome: Outcome) -> None:
    """One batch of the action; inside the caller's transaction."""
    outcome.documents += len(ids)
    progress_invalidate(project_id=project.pk)
    run: dict[str, Callable[[Project, list[int], list[User]], Counter[str]]] = {
        Action.ASSIGN: _assign, Action.GOLD_CHECK: _gold_check,
        Action.UNGOLD_CHECK: _ungold_check, Action.DELETE: _delete}
    outcome.counts.update(run[action](project, ids, users))


def _gold_check(project: Project, ids: list[int], _users: list[User]) -> Counter[str]:
    """Documents with gold become checks; the others are counted, not changed."""
    ready = list(with_gold(project.documents.filter(pk__in=ids)).values_list("pk", flat=True))
    changed = project.documents.filter(pk__in=ready, is_gold_check=False) \
        .update(is_gold_check=True)
    return Counter(changed=changed, without_gold=len(ids) - len(ready))


def _ungold_check(project: Project, ids: list[int], _users: list[User]) -> Counter[str]:
    changed = project.documents.filter(pk__in=ids, is_gold_check=True) \
        .update(is_gold_check=False)
    return Counter(changed=changed)


def _delete(project: Project, ids: list[int], _users: list[User]) -> Counter[str]:
    """The documents and everything of theirs: annotations, gold, leases, suggestions,
    scores (the ORM's cascade)."""
    mine = list(project.documents.filter(pk__in=ids).values_list("pk", flat=True))
    return Counter(deleted=cascade_delete(model=Document, ids=mine))


def _assign(project: Project, ids: list[int], users: list[User]) -> Counter[str]:
    """Hand each document to each chosen annotator while it has room among its k places
    (an assignment holds one, like a lease, until the annotator opens it). The documents'
    rows are locked first, as `next` does, so k holds under concurrency. A gold check has
    no k and goes to everyone anyway: it is left out."""
    now = timezone.now()
    locked = list(Document.objects.select_for_update().filter(project=project, pk__in=ids)
                  .order_by("id").values_list("pk", "is_gold_check"))
    open_ids = [pk for pk, check in locked if not check]
    held = dict(Assignment.objects.filter(document_id__in=open_ids).filter(live(now))
                .values_list("document_id").annotate(n=Count("pk")).order_by())
    mine = {(d, a): (pk, status) for pk, d, a, status in Assignment.objects.filter(
        document_id__in=open_ids, annotator__in=users)
        .values_list("pk", "document_id", "annotator_id", "status")}
    counts: Counter[str] = Counter(gold_checks=len(locked) - len(open_ids))
    new, revived = [], []
    for doc_id in open_ids:
        room = project.overlap - held.get(doc_id, 0)
        for user in users:
            pk, status = mine.get((doc_id, user.pk), (None, None))
            if status in (AssignmentStatus.ACTIVE, AssignmentStatus.SUBMITTED,
                          AssignmentStatus.ASSIGNED):
                counts["already"] += 1
            elif room <= 0:
                counts["full"] += 1
            else:
                room -= 1
                counts["assigned"] += 1
                if pk is None:
                    new.append(_handed(project, doc_id, user, now))
                else:
                    revived.append(pk)
    Assignment.objects.bulk_create(new, batch_size=BATCH)
    Assignment.objects.filter(pk__in=revived).update(
        status=AssignmentStatus.ASSIGNED, expires_at=now, finished_at=None, skip_reason="")
    return counts


def _handed(project: Project, doc_id: int, user: User, now: datetime) -> Assignment:
    return Assignment(project=project, document_id=doc_id, annotator=user,
                      status=AssignmentStatus.ASSIGNED, expires_at=now)
