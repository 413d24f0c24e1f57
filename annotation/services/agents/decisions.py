"""Accepting or rejecting suggestions. Accepting puts nothing in an annotation by itself:
the workbench adds the accepted labels to the person's annotation and saves it as any
edit; this records the decision, which keeps the accepted label's origin and gives each
agent its live precision per label."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from annotation.models import Agent, Decision, Document, Suggestion, SuggestionDecision
from projects.errors import ServiceError
from projects.models import Label, Project

MAX_DECISIONS = 1000  # per request: "accept all" on a long document stays under it


@dataclass(frozen=True)
class DecisionInput:
    agent: str
    kind: str
    label: str
    decision: str
    start: int | None = None
    end: int | None = None
    tail_start: int | None = None
    tail_end: int | None = None


def _resolve(project: Project, items: list[DecisionInput]
             ) -> tuple[dict[str, Agent], dict[tuple[str, str], int]]:
    agents = {a.name: a for a in Agent.objects.filter(
        project=project, name__in={item.agent for item in items})}
    labels = {(kind, name): pk for pk, kind, name in Label.objects.filter(
        project=project, name__in={item.label for item in items})
        .values_list("pk", "kind", "name")}
    for i, item in enumerate(items):
        if item.agent not in agents:
            raise ServiceError.field(f"decisions[{i}].agent", _("No such agent."))
        if (item.kind, item.label) not in labels:
            raise ServiceError.field(f"decisions[{i}].label", _("No such label."))
        if item.decision not in Decision.values:
            raise ServiceError.field(f"decisions[{i}].decision",
                                     _("Use accepted or rejected."))
    return agents, labels


@transaction.atomic
def suggestions_decide(*, project: Project, document: Document, user: User,
                       items: list[DecisionInput]) -> int:
    """Record `user`'s decisions on the document's suggestions; a later decision on the same
    suggestion replaces the earlier one. Returns how many were recorded."""
    if len(items) > MAX_DECISIONS:
        raise ServiceError.field("decisions", _("At most %(n)d decisions at once.")
                                 % {"n": MAX_DECISIONS})
    agents, labels = _resolve(project, items)
    keyed = [(agents[item.agent].pk, item.kind, labels[(item.kind, item.label)], item.start,
              item.end, item.tail_start, item.tail_end) for item in items]
    columns = ("agent_id", "kind", "label_id", "start", "end", "tail_start", "tail_end")
    found = {tuple(row[:7]): row[7:] for row in Suggestion.objects.filter(document=document)
             .values_list(*columns, "model_version", "score")}
    wanted = set(keyed)
    earlier = [pk for pk, *key in SuggestionDecision.objects.filter(
        document=document, user=user).values_list("pk", *columns) if tuple(key) in wanted]
    SuggestionDecision.objects.filter(pk__in=earlier).delete()
    SuggestionDecision.objects.bulk_create([
        SuggestionDecision(project=project, document=document, user=user,
                           decision=item.decision,
                           model_version=found.get(key, ("", None))[0],
                           score=found.get(key, ("", None))[1],
                           **dict(zip(columns, key, strict=True)))
        for item, key in zip(items, keyed, strict=True)])
    return len(items)
