from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from projects.cache_keys import label_schema
from projects.errors import Conflict, ServiceError
from projects.models import Label, LabelKind, Project

LABEL_FIELDS = ("kind", "name", "color", "shortcut", "order", "value", "directed",
                "head_labels", "tail_labels")


def _entity_labels(project: Project, names: Any, field: str) -> list[Label]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ServiceError.field(field, _("Give a list of entity label names."))
    found = {lb.name: lb for lb in project.labels.filter(kind=LabelKind.ENTITY, name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ServiceError.field(field, _("No entity label named %(n)s in this project.")
                                 % {"n": ", ".join(missing)})
    return [found[n] for n in dict.fromkeys(names)]


def _apply(label: Label, fields: dict[str, Any]) -> dict[str, list[Label]]:
    unknown = set(fields) - set(LABEL_FIELDS)
    if unknown:
        raise ServiceError.field(sorted(unknown)[0], _("Not a label field."))
    if "kind" in fields and label.pk and fields["kind"] != label.kind:
        raise ServiceError.field("kind", _("A label's kind cannot change; make a new label."))
    rules = {f: fields.pop(f) for f in ("head_labels", "tail_labels") if f in fields}
    for key, value in fields.items():
        setattr(label, key, value)
    if isinstance(label.shortcut, str):
        label.shortcut = label.shortcut.strip()
    if label.kind != LabelKind.RELATION and any(rules.values()):
        raise ServiceError.field("head_labels", _("Only relation labels have head and tail rules."))
    if label.kind != LabelKind.SENTIMENT and label.value is not None:
        raise ServiceError.field("value", _("Only sentiment labels carry a numeric value."))
    label.full_clean(exclude=["project"], validate_unique=False)
    clash = label.project.labels.exclude(pk=label.pk)
    if clash.filter(kind=label.kind, name=label.name).exists():
        raise ServiceError.field("name", _("The name %(n)s is taken by another %(k)s label.")
                                 % {"k": label.get_kind_display().lower(), "n": label.name})
    if label.shortcut and clash.filter(shortcut=label.shortcut).exists():
        raise ServiceError.field("shortcut", _("Another label already uses the key %(k)s.")
                                 % {"k": label.shortcut})
    return {f: _entity_labels(label.project, names, f) for f, names in rules.items()}


def _save(label: Label, rules: dict[str, list[Label]]) -> Label:
    label.save()
    for field, labels in rules.items():
        getattr(label, field).set(labels)
    return label


def _forget_schema(project_id: int) -> None:
    """Drop the cached label schema now and again at commit, so that no reader keeps a
    copy made between the two."""
    cache.delete(label_schema(project_id))
    transaction.on_commit(lambda: cache.delete(label_schema(project_id)))


@transaction.atomic
def label_create(*, project: Project, **fields: Any) -> Label:
    if "kind" not in fields or fields["kind"] not in LabelKind.values:
        raise ServiceError.field("kind", _("Choose entity, relation or sentiment."))
    if (fields["kind"] == LabelKind.RELATION
            and not project.labels.filter(kind=LabelKind.ENTITY).exists()):
        raise ServiceError.field("kind", _("A relation joins two entities: add an entity label "
                                           "before the first relation label."))
    _check_room(have=project.labels.count(), adding=1)
    label = Label(project=project)
    if "order" not in fields:
        fields["order"] = project.labels.filter(kind=fields["kind"]).count()
    _forget_schema(project.pk)
    return _save(label, _apply(label, fields))


def _check_room(*, have: int, adding: int) -> None:
    """CONCORD_PROJECT_MAX_LABELS: what a project's label list may hold, every kind together."""
    limit = settings.CONCORD_PROJECT_MAX_LABELS
    if have + adding > limit:
        raise Conflict(_("A project holds at most %(limit)s labels (setting "
                         "CONCORD_PROJECT_MAX_LABELS); this one has %(have)s, and %(adding)s "
                         "more would pass the limit. Delete labels first.")
                       % {"limit": f"{limit:,}", "have": f"{have:,}", "adding": f"{adding:,}"},
                       [{"field": "name", "message": _("The project has its maximum of "
                                                       "%(limit)s labels.")
                         % {"limit": f"{limit:,}"}}])


@transaction.atomic
def labels_create_bulk(*, project: Project, labels: Sequence[tuple[str, str, str]],
                       progress: Callable[[int, int], None] | None = None) -> list[Label]:
    """Create many labels at once (an import's create_labels): `(kind, name, colour)` each,
    after the last of their kind, with no shortcut and no head or tail rules.

    A fixed number of queries, whatever the number of labels: the project's labels (at most
    CONCORD_PROJECT_MAX_LABELS rows) in one, for the limit, the orders and the clashes, then
    the inserts. All or none: a list that would take the project past the limit is refused
    whole. `progress(done, total)` follows the inserts."""
    if not labels:
        return []
    stored = list(project.labels.order_by().values_list("kind", "name", "order"))
    _check_room(have=len(stored), adding=len(labels))
    new = [Label(project=project, kind=kind, name=name, color=color)
           for kind, name, color in labels]
    for i, label in enumerate(new):
        try:  # the fields only: constraints would cost a query each
            label.clean_fields(exclude=["project", "order"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ServiceError.field(f"labels[{i}].{field}",
                                     f"{label.name[:100]!r}: {messages[0]}") from exc
    kinds = {lb.kind for lb in new} | {kind for kind, _n, _o in stored}
    if LabelKind.RELATION in kinds and LabelKind.ENTITY not in kinds:
        raise ServiceError.field("kind", _("A relation joins two entities: add an entity label "
                                           "before the first relation label."))
    wanted = {(lb.kind, lb.name) for lb in new}
    if len(wanted) < len(new) or wanted & {(kind, name) for kind, name, _o in stored}:
        raise ServiceError.field("name", _("A label with this kind and name exists already."))
    following: dict[str, int] = {}
    for kind, _name, order in stored:
        following[kind] = max(following.get(kind, 0), order + 1)
    for label in new:
        label.order = following.get(label.kind, 0)
        following[label.kind] = label.order + 1
    _forget_schema(project.pk)
    created: list[Label] = []
    step = 500
    for start in range(0, len(new), step):
        created += Label.objects.bulk_create(new[start:start + step])
        if progress is not None:
            progress(len(created), len(new))
    return created


@transaction.atomic
def label_update(*, label: Label, **fields: Any) -> Label:
    _forget_schema(label.project_id)
    return _save(label, _apply(label, fields))


@transaction.atomic
def label_delete(*, label: Label) -> None:
    others = label.project.labels.exclude(pk=label.pk)
    if (label.kind == LabelKind.ENTITY and not others.filter(kind=LabelKind.ENTITY).exists()
            and others.filter(kind=LabelKind.RELATION).exists()):
        raise ServiceError.field("kind", _("The relation labels need at least one entity label: "
                                           "delete them first."))
    _forget_schema(label.project_id)
    try:
        with transaction.atomic():
            label.delete()
    except ProtectedError as exc:
        raise Conflict(_("The label %(n)s is used by %(c)d annotations; it cannot be deleted.")
                       % {"n": label.name, "c": len(exc.protected_objects)}) from exc
