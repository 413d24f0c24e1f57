from typing import Any

from django.core.cache import cache
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
    label = Label(project=project)
    if "order" not in fields:
        fields["order"] = project.labels.filter(kind=fields["kind"]).count()
    _forget_schema(project.pk)
    return _save(label, _apply(label, fields))


@transaction.atomic
def label_update(*, label: Label, **fields: Any) -> Label:
    _forget_schema(label.project_id)
    return _save(label, _apply(label, fields))


@transaction.atomic
def label_delete(*, label: Label) -> None:
    _forget_schema(label.project_id)
    try:
        with transaction.atomic():
            label.delete()
    except ProtectedError as exc:
        raise Conflict(_("The label %(n)s is used by %(c)d annotations; it cannot be deleted.")
                       % {"n": label.name, "c": len(exc.protected_objects)}) from exc
