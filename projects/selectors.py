from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from projects import cache_keys
from projects.models import (
    AuditAction,
    AuditEvent,
    Job,
    JobStatus,
    Label,
    LabelKind,
    Membership,
    Preference,
    Project,
    Role,
    Task,
)
from projects.permissions import JOB_RIGHTS, authorize


def project_list(*, user: User | AnonymousUser) -> QuerySet[Project]:
    """The live projects the user belongs to, each annotated with `role`."""
    live = Project.objects.filter(deleted_at__isnull=True)
    if not isinstance(user, User):
        return live.none()
    if user.is_superuser:
        return live.annotate(role=Value(Role.MANAGER))
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return live.filter(memberships__user=user).annotate(role=Subquery(role))


TASK_LABELS = {
    Task.NER: (LabelKind.ENTITY, _("The project runs named entities but has no entity labels: "
                                   "a manager must add one.")),
    Task.RELATIONS: (LabelKind.RELATION, _("The project runs relations but has no relation "
                                           "labels: a manager must add one.")),
    Task.SENTIMENT: (LabelKind.SENTIMENT, _("The project runs sentiment but has no sentiment "
                                            "labels: a manager must add one.")),
}


def missing_labels(*, tasks: list[str], kinds: set[str]) -> list[dict[str, str]]:
    """A task the project runs with no label of its kind: labeling cannot start."""
    return [{"field": "labels", "message": str(message)}
            for task, (kind, message) in TASK_LABELS.items()
            if task in tasks and kind not in kinds]


def setup_problems(*, project: Project) -> list[dict[str, str]]:
    """What keeps the project from being labelled; empty when labeling can start."""
    kinds = set(project.labels.values_list("kind", flat=True).distinct())
    return missing_labels(tasks=project.tasks, kinds=kinds)


def label_list(*, project: Project, kind: str | None = None) -> QuerySet[Label]:
    labels = project.labels.prefetch_related("head_labels", "tail_labels")
    return labels.filter(kind=kind) if kind else labels


def member_list(*, project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user").order_by("role", "user__username")


def membership_get(*, project: Project, username: str) -> Membership:
    membership = project.memberships.select_related("user").filter(user__username=username).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


def live_progress(job: Job) -> Job:
    """The job, with the progress its running task last reported to the cache."""
    if job.status == JobStatus.RUNNING:
        live = cache.get(cache_keys.job_progress(job.pk))
        if live and live["progress"] >= job.progress:
            job.progress, job.message = live["progress"], live["message"]
    return job


def job_get(*, user: User | AnonymousUser, job_id: int) -> Job:
    """A job is seen by its creator, or by members whose role has the right for its kind."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not user.is_authenticated:
        raise Http404("No such job.")
    if job.created_by_id != user.pk:
        if job.project_id is None:
            raise Http404("No such job.")
        try:
            authorize(user=user, project_id=job.project_id, right=JOB_RIGHTS[job.kind])
        except Http404:  # a non-member: the same answer as for a missing job
            raise Http404("No such job.") from None
    return live_progress(job)


AUDIT_PAGE_SIZE = 50


def audit_event_page(*, project: Project, action: str | None = None, page: int = 1) -> Page:
    """The project's audit events, newest first, one page of AUDIT_PAGE_SIZE."""
    events = AuditEvent.objects.filter(project=project).select_related("actor")
    if action:
        events = events.filter(action=action)
    return Paginator(events, AUDIT_PAGE_SIZE).get_page(page)


def token_events(*, user: User, limit: int = 10) -> QuerySet[AuditEvent]:
    """The latest creations and revocations of the user's API token."""
    actions = [AuditAction.TOKEN_CREATE, AuditAction.TOKEN_REVOKE]
    return AuditEvent.objects.filter(target=user.username, action__in=actions,
                                     project=None).select_related("actor")[:limit]


def preferred_language(*, user_id: int) -> str:
    """The interface language the user saved ("" for none), cached: every page asks."""
    key = cache_keys.preferred_language(user_id)
    language = cache.get(key)
    if language is None:
        language = (Preference.objects.filter(user_id=user_id)
                    .values_list("language", flat=True).first() or "")
        cache.set(key, language, cache_keys.PREFERENCE_SECONDS)
    return str(language)
