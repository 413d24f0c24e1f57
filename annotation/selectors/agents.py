"""Reads about agents: the project's agents with their accept rates, a document's
suggestions as the workbench and the API show them, and the gold the models train on."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from annotation.models import (
    Agent,
    AgentKind,
    Annotation,
    AnnotationKind,
    Decision,
    Document,
    Suggestion,
    SuggestionDecision,
    SuggestionKind,
)
from annotation.pure.assist.base import GoldDoc
from annotation.selectors.exports import export_documents
from projects.models import Job, JobKind, Project, Task

BUILT_IN: dict[str, str] = {  # the built-in agents, named after their kind
    AgentKind.DICTIONARY: Task.NER, AgentKind.CRF: Task.NER,
    AgentKind.SENTIMENT: Task.SENTIMENT, AgentKind.RELATION: Task.RELATIONS,
}
TRAINED = tuple(BUILT_IN)


def built_in_for(project: Project) -> list[str]:
    """The trained agents the project's tasks call for (relations need entities too)."""
    tasks = set(project.tasks)
    names = [name for name, task in BUILT_IN.items() if task in tasks]
    if AgentKind.RELATION in names and Task.NER not in tasks:
        names.remove(AgentKind.RELATION)
    return names


def agents_of(*, project: Project) -> list[Agent]:
    """The project's agents: those stored, and the built-in ones its tasks call for and the
    LLM agent, unsaved until first used (switched on, off until trained or configured)."""
    stored = {agent.name: agent for agent in
              Agent.objects.filter(project=project).select_related("version")}
    for name in [*built_in_for(project), AgentKind.LLM]:
        if name not in stored:
            stored[name] = Agent(project=project, name=name, kind=name,
                                 active=name != AgentKind.LLM)
    rates = accept_rates(project=project)
    for agent in stored.values():
        agent.accept = rates.get(agent.pk, {})  # type: ignore[attr-defined]
    order = {name: i for i, name in enumerate([*TRAINED, AgentKind.LLM])}
    return sorted(stored.values(), key=lambda a: (order.get(a.name, len(order)), a.name))


def accept_rates(*, project: Project) -> dict[int, dict[str, Any]]:
    """Per agent: {"rate", "decisions", "per_label": {name: {"rate", "decisions"}}}, where
    rate is accepted / (accepted + rejected): the live precision."""
    rows = (SuggestionDecision.objects.filter(project=project)
            .values("agent_id", "label__name").order_by()
            .annotate(n=Count("pk"), yes=Count("pk", filter=Q(decision=Decision.ACCEPTED))))
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        agent = out.setdefault(row["agent_id"], {"accepted": 0, "decisions": 0,
                                                 "per_label": {}})
        agent["accepted"] += row["yes"]
        agent["decisions"] += row["n"]
        agent["per_label"][row["label__name"]] = {"rate": row["yes"] / row["n"],
                                                  "decisions": row["n"]}
    for agent in out.values():
        agent["rate"] = agent.pop("accepted") / agent["decisions"]
    return out


def agent_named(*, project: Project, name: str) -> Agent | None:
    return next((agent for agent in agents_of(project=project) if agent.name == name), None)


def training_jobs(*, project: Project, limit: int = 20) -> list[Job]:
    return list(Job.objects.filter(project=project, kind=JobKind.TRAIN)[:limit])


def suggestions_for(*, project: Project, document: Document) -> dict[str, list[dict]]:
    """DESIGN's suggestions of a document: those of switched-on agents scoring at least the
    project's minimum, each with its agent, model version and score."""
    rows = (Suggestion.objects.filter(document=document, agent__active=True,
                                      score__gte=project.suggestion_min_score)
            .values_list("kind", "start", "end", "tail_start", "tail_end", "label__name",
                         "agent__name", "model_version", "score")
            .order_by("kind", "start", "end", "-score", "id"))
    out: dict[str, list[dict]] = {"entities": [], "relations": [], "sentiment": []}
    text = document.text
    for kind, start, end, tail_start, tail_end, label, agent, version, score in rows:
        item = {"label": label, "agent": agent, "model_version": version, "score": score}
        if kind == SuggestionKind.ENTITY:
            out["entities"].append({"start": start, "end": end, "text": text[start:end],
                                    **item})
        elif kind == SuggestionKind.RELATION:
            out["relations"].append({"head": {"start": start, "end": end},
                                     "tail": {"start": tail_start, "end": tail_end}, **item})
        else:
            out["sentiment"].append(item)
    return out


@dataclass(frozen=True)
class GoldCorpus:
    docs: list[GoldDoc]
    relations: int  # gold relations in all


def gold_corpus(*, project: Project) -> GoldCorpus:
    """The reviewed documents with their gold, as the models train on them."""
    docs, relations = [], 0
    for stored in export_documents(project=project, scope="gold"):
        gold = stored.labellings[0] if stored.labellings else None
        if gold is None:
            continue
        relations += len(gold.relations)
        docs.append(GoldDoc(
            text=stored.text, entities=tuple(gold.entities),
            relations=tuple((head - 1, tail - 1, label) for head, tail, label in gold.relations),
            sentiment=tuple(gold.sentiment)))
    return GoldCorpus(docs, relations)


def gold_count(*, project: Project) -> int:
    return Annotation.objects.filter(project=project, kind=AnnotationKind.GOLD).count()


def open_documents(*, project: Project, after: int, limit: int) -> list[tuple[int, str]]:
    """A keyset page of the documents still to label (status new): (id, text)."""
    return list(Document.objects.filter(project=project, status="new", pk__gt=after)
                .order_by("pk").values_list("pk", "text")[:limit])


def suggestion_counts(*, project: Project) -> dict[int, int]:
    return dict(Suggestion.objects.filter(project=project).values_list("agent_id")
                .annotate(n=Count("pk")).order_by())

