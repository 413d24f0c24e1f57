from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.errors import ServiceError
from projects.models import AuditAction, Job, JobKind, Membership, Order, Project, Role, Task
from projects.services.audit import audit_record
from projects.services.dispatch import AGREEMENT_AUTO_TASK, RANKS_TASK, task_named

PROJECT_FIELDS = (
    "name", "description", "guidelines", "tasks", "overlap", "allow_overlapping_spans",
    "sentiment_multi_label", "sentiment_scale", "segmentation", "pii_policy", "auto_accept_gold",
    "lease_minutes", "gold_check_rate", "order", "order_field", "suggestion_min_score",
    "train_every", "activation_f1", "relation_min_gold",
)
ORDER_FIELDS = ("order", "order_field")  # a change re-ranks the documents (RANKS_TASK)
TOKEN_FIELDS = ("segmentation",)  # a change recounts token agreement (AGREEMENT_AUTO_TASK)


def _clean_tasks(tasks: Any) -> list[str]:
    if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        raise ServiceError.field("tasks", _("Give a list of tasks."))
    unknown = sorted(set(tasks) - set(Task.values))
    if unknown:
        raise ServiceError.field("tasks", _("Unknown task: %(t)s. Use ner, relations or sentiment.")
                                 % {"t": ", ".join(unknown)})
    if Task.RELATIONS in tasks and Task.NER not in tasks:
        raise ServiceError.field("tasks", _("Relations need the ner task: they join entities."))
    return [t for t in Task.values if t in tasks]


def _apply(project: Project, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ServiceError.field(sorted(unknown)[0], _("Not a project field."))
    if "tasks" in fields:
        fields["tasks"] = _clean_tasks(fields["tasks"])
    if "name" in fields and not str(fields["name"]).strip():
        raise ServiceError.field("name", _("A project needs a name."))
    for key, value in fields.items():
        setattr(project, key, value)
    project.full_clean(exclude=["created_by"])
    _check_order(project)


def _check_order(project: Project) -> None:
    project.order_field = (project.order_field or "").strip()
    if project.order == Order.STRATIFIED and not project.order_field:
        raise ServiceError.field("order_field", _(
            "Stratified order needs a field: the meta key whose values take turns."))


@transaction.atomic
def project_create(*, creator: User, **fields: Any) -> Project:
    project = Project(created_by=creator)
    fields.setdefault("tasks", [Task.NER])
    _apply(project, fields)
    project.save()
    Membership.objects.create(project=project, user=creator, role=Role.MANAGER)
    return project


@transaction.atomic
def project_update(*, project: Project, **fields: Any) -> Project:
    before = {name: getattr(project, name) for name in (*ORDER_FIELDS, *TOKEN_FIELDS)}
    _apply(project, fields)
    project.save()
    changed = {name for name, value in before.items() if getattr(project, name) != value}
    project_id = project.pk
    if changed & set(ORDER_FIELDS):
        transaction.on_commit(lambda: task_named(RANKS_TASK).delay(project_id))
    if changed & set(TOKEN_FIELDS):
        transaction.on_commit(lambda: task_named(AGREEMENT_AUTO_TASK).delay(project_id))
    return project


@transaction.atomic
def project_delete(*, project: Project, by: User) -> Job:
    """Hide the project at once; a background job removes its rows in batches."""
    from projects.services.jobs import job_create

    project.deleted_at = timezone.now()
    project.save(update_fields=["deleted_at"])
    audit_record(project=project, actor=by, action=AuditAction.PROJECT_DELETE,
                 target=f"{project.name} (#{project.pk})"[:300], data={"project": project.pk})
    return job_create(project=project, kind=JobKind.PROJECT_DELETE, by=by,
                      params={"project_id": project.pk})
