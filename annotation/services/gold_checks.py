"""Gold checks (honeypots): documents with gold, handed to annotators blind, scored.

A manager marks documents that have gold as checks. `assignment_next` asks
`gold_check_next` before it looks for a new document: at the project's `gold_check_rate`
(drawn reproducibly, see annotation.pure.gold_checks) the annotator gets a check they have
not been handed yet. Checks take no slot: a check is `reviewed` and stays so, and k counts
only new documents. When an annotator submits a check, `gold_check_score` stores their
scores against the gold (GoldCheckScore); managers read them on the progress dashboard.
"""

from dataclasses import asdict
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from annotation.models import Assignment, AssignmentStatus, Document, GoldCheckScore
from annotation.pure.content import Content
from annotation.pure.gold_checks import check_turn, score
from annotation.selectors.gold_checks import gold_content, with_gold
from annotation.selectors.labeling import documents_open_to
from annotation.services.progress import progress_invalidate
from projects.errors import ServiceError
from projects.models import Project


def _ids(project: Project, document_ids: list[int]) -> set[int]:
    ids = set(document_ids)
    if not ids:
        raise ServiceError.field("documents", _("Choose at least one document."))
    found = set(project.documents.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := sorted(ids - found):
        raise ServiceError.field("documents", _("No such document in this project: %(ids)s.")
                                 % {"ids": ", ".join(map(str, missing[:20]))})
    return ids


@transaction.atomic
def gold_checks_mark(*, project: Project, document_ids: list[int]) -> int:
    """Make documents checks; each must have gold. All or none. Returns how many changed."""
    ids = _ids(project, document_ids)
    ready = set(with_gold(project.documents.filter(pk__in=ids)).values_list("pk", flat=True))
    if no_gold := sorted(ids - ready):
        raise ServiceError.field("documents", _("Only a document with gold can be a check; "
                                                "these have none: %(ids)s.")
                                 % {"ids": ", ".join(map(str, no_gold[:20]))})
    changed = project.documents.filter(pk__in=ids, is_gold_check=False) \
        .update(is_gold_check=True)
    progress_invalidate(project_id=project.pk)
    return changed


@transaction.atomic
def gold_checks_unmark(*, project: Project, document_ids: list[int]) -> int:
    """Stop using documents as checks. Their scores are kept but leave the figures.
    A lease on one that is running goes on: the annotator may finish it (unscored)."""
    ids = _ids(project, document_ids)
    changed = project.documents.filter(pk__in=ids, is_gold_check=True) \
        .update(is_gold_check=False)
    progress_invalidate(project_id=project.pk)
    return changed


def mix_seed(*, project_id: int, user_id: int) -> str:
    """The secret seed of an annotator's check turns in a project."""
    return f"{settings.SECRET_KEY}:gold-checks:{project_id}:{user_id}"


def gold_check_next(*, project: Project, user: User, now: datetime) -> int | None:
    """A check for the requester's next document, or None for an ordinary one: None unless
    this turn is a check turn, the requester has a check left that they were never handed,
    and ordinary work is left too (checks are mixed in, never given alone, which would
    give them away). Call in assignment_next, with the requester's membership locked."""
    rate = project.gold_check_rate
    if rate <= 0:
        return None
    handed = Assignment.objects.filter(project=project, annotator=user).count()
    if not check_turn(seed=mix_seed(project_id=project.pk, user_id=user.pk), n=handed,
                      rate=rate):
        return None
    mine = (Assignment.objects.filter(document=OuterRef("pk"), annotator=user)
            .exclude(status=AssignmentStatus.EXPIRED))
    check = (with_gold(project.documents.filter(is_gold_check=True)).exclude(Exists(mine))
             .order_by("id").values_list("pk", flat=True).first())
    if check is None or not documents_open_to(project=project, user=user, now=now).exists():
        return None
    return check


def gold_check_score(*, document: Document, annotator: User, answer: Content
                     ) -> GoldCheckScore | None:
    """Score a submitted answer to a check against its gold; a re-submission rescores.
    Inside the submitting transaction."""
    gold = gold_content(document=document)
    if gold is None:
        return None
    content, version = gold
    result = score(gold=content, answer=answer, tasks=frozenset(document.project.tasks))
    row, _created = GoldCheckScore.objects.update_or_create(
        document=document, annotator=annotator,
        defaults={**asdict(result), "project_id": document.project_id,
                  "gold_version": version, "scored_at": timezone.now()})
    return row
