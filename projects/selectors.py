from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.http import Http404

from projects.models import (
    AuditAction,
    AuditEvent,
    Job,
    JobStatus,
    Label,
    Membership,
    Project,
    Role,
)
from projects.permissions import JOB_RIGHTS, authorize
from projects.services.jobs import progress_key


def project_list(*, user: User | AnonymousUser) -> QuerySet[Project]:
    """The live projects the user belongs to, each annotated with `role`."""
    live = Project.objects.filter(deleted_at__isnull=True)
    if not isinstance(user, User):
        return live.none()
    if user.is_superuser:
        return live.annotate(role=Value(Role.MANAGER))
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return live.filter(memberships__user=user).annotate(role=Subquery(role))


def project_document_counts(*, project: Project) -> dict[str, int]:
    from annotation.models import DocumentStatus

    counts = dict.fromkeys(DocumentStatus.values, 0)
    rows = project.documents.values("status").annotate(n=Count("id")).order_by()
    counts.update({row["status"]: row["n"] for row in rows})
    counts["total"] = sum(counts.values())
    return counts


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
        live = cache.get(progress_key(job.pk))
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
