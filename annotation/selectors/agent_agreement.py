"""Reads for measuring agents like annotators: the gold and each agent's suggestions on the
documents of the agreement corpus, as per-document labellings in the pure module's form
(annotation/pure/agreement/agents.py).

An agent's labelling of a document is what an annotator would have been shown: suggestions
scoring at least the project's ``suggestion_min_score``; for single-label sentiment the
top-scored label, for multi-label sentiment every label scoring at least 0.5 (and the
minimum). A relation suggestion names its head and tail by offsets; they take the entity
label of the agent's own entity suggestion with those offsets, else of any agent's (the
relation model is fed every entity agent's proposals), top score first; a relation whose
head or tail has no such entity cannot be compared and is left out (counted in a note).

An agent labelled a document when it has any suggestion on it (whatever its score): there,
no entity shown counts as zero entities. It is measured on the tasks it has suggestions of.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.json import KeyTransform

from annotation.models import (
    AgreementReport,
    Annotation,
    AnnotationKind,
    Relation,
    SentimentChoice,
    Span,
    Suggestion,
    SuggestionKind,
)
from annotation.pure.agreement.agents import AgentLabellings
from projects.models import Project, Task

CHUNK = 20_000
MULTI_LABEL_MIN = 0.5
TASK_OF = {SuggestionKind.ENTITY: Task.NER, SuggestionKind.RELATION: Task.RELATIONS,
           SuggestionKind.SENTIMENT: Task.SENTIMENT}


@dataclass
class AgentInputs:
    gold: dict[int, dict[str, Any]]  # document id -> content
    agents: dict[str, AgentLabellings]


def _rows(queryset: Any, *fields: str) -> Iterable[tuple]:
    return queryset.order_by().values_list(*fields).iterator(chunk_size=CHUNK)


def gold_labellings(*, project: Project, documents: set[int]) -> dict[int, dict[str, Any]]:
    """The gold of the ``documents`` that have one, as contents (relations by offsets)."""
    gold = Annotation.objects.filter(project=project, kind=AnnotationKind.GOLD)
    out: dict[int, dict[str, Any]] = {
        doc: {"entities": [], "relations": [], "sentiment": []}
        for doc in gold.values_list("document_id", flat=True).iterator(chunk_size=CHUNK)
        if doc in documents}
    of = {"annotation__project": project, "annotation__kind": AnnotationKind.GOLD}
    for doc, start, end, label in _rows(Span.objects.filter(**of), "annotation__document_id",
                                        "start", "end", "label__name"):
        if doc in out:
            out[doc]["entities"].append((start, end, label))
    for doc, hs, he, hl, ts, te, tl, label in _rows(
            Relation.objects.filter(**of), "annotation__document_id", "head__start",
            "head__end", "head__label__name", "tail__start", "tail__end", "tail__label__name",
            "label__name"):
        if doc in out:
            out[doc]["relations"].append({"head": (hs, he, hl), "tail": (ts, te, tl),
                                          "label": label})
    rows = SentimentChoice.objects.filter(**of).order_by("label__order", "label_id")
    for doc, label in rows.values_list("annotation__document_id", "label__name"):
        if doc in out:
            out[doc]["sentiment"].append(label)
    for content in out.values():
        chosen = content["sentiment"]
        content["sentiment"] = chosen if project.sentiment_multi_label else (
            chosen[0] if chosen else None)
    return out


@dataclass
class _Agent:
    kind: str
    version: int | None
    covered: set[int]
    kinds: set[str]
    entities: dict[int, set[tuple[int, int, str]]]  # shown: doc -> (start, end, label)
    own: dict[int, dict[tuple[int, int], tuple[float, str]]]  # doc -> offsets -> best label
    relations: dict[int, list[tuple[int, int, int, int, str]]]
    sentiment: dict[int, list[tuple[float, int, str]]]  # (score, label order, name)
    model_versions: set[str]


def _entity_label(agent: _Agent, every: dict[int, dict[tuple[int, int], tuple[float, str]]],
                  doc: int, start: int, end: int) -> str | None:
    for table in (agent.own, every):
        found = table.get(doc, {}).get((start, end))
        if found is not None:
            return found[1]
    return None


def agent_labellings(*, project: Project, documents: set[int]) -> dict[str, AgentLabellings]:
    """Per agent with suggestions on ``documents``, its labellings as shown (module doc)."""
    least = project.suggestion_min_score
    agents: dict[int, _Agent] = {}
    names: dict[int, str] = {}
    every: dict[int, dict[tuple[int, int], tuple[float, str]]] = defaultdict(dict)
    rows = _rows(Suggestion.objects.filter(project=project), "agent_id", "agent__name",
                 "agent__kind", "agent__version__number", "document_id", "kind", "label__name",
                 "label__order", "start", "end", "tail_start", "tail_end", "score",
                 "model_version")
    for (agent_id, name, kind, number, doc, what, label, order, start, end, tail_start,
         tail_end, score, model_version) in rows:
        if doc not in documents:
            continue
        agent = agents.get(agent_id)
        if agent is None:
            names[agent_id] = name
            agent = agents[agent_id] = _Agent(kind, number, set(), set(), defaultdict(set),
                                              defaultdict(dict), defaultdict(list),
                                              defaultdict(list), set())
        agent.covered.add(doc)
        agent.kinds.add(what)
        if model_version:
            agent.model_versions.add(model_version)
        if what == SuggestionKind.ENTITY:
            for table in (every[doc], agent.own[doc]):
                best = table.get((start, end))
                if best is None or score > best[0]:
                    table[(start, end)] = (score, label)
        if score < least:
            continue
        if what == SuggestionKind.ENTITY:
            agent.entities[doc].add((start, end, label))
        elif what == SuggestionKind.RELATION:
            agent.relations[doc].append((start, end, tail_start, tail_end, label))
        else:
            agent.sentiment[doc].append((score, order, label))
    return {names[pk]: _labellings(project, agent, every) for pk, agent in agents.items()}


def _labellings(project: Project, agent: _Agent,
                every: dict[int, dict[tuple[int, int], tuple[float, str]]]) -> AgentLabellings:
    multi = project.sentiment_multi_label
    least = max(project.suggestion_min_score, MULTI_LABEL_MIN)
    unresolved = 0
    documents: dict[int, dict[str, Any]] = {}
    for doc in agent.covered:
        entities = sorted(agent.entities.get(doc, ()))
        relations = []
        for hs, he, ts, te, label in agent.relations.get(doc, ()):
            head = _entity_label(agent, every, doc, hs, he)
            tail = _entity_label(agent, every, doc, ts, te)
            if head is None or tail is None:
                unresolved += 1
                continue
            relations.append({"head": (hs, he, head), "tail": (ts, te, tail), "label": label})
        ranked = sorted(agent.sentiment.get(doc, ()), key=lambda s: (-s[0], s[1], s[2]))
        sentiment: Any
        if multi:
            sentiment = sorted({name for score, _o, name in ranked if score >= least})
        else:
            sentiment = ranked[0][2] if ranked else None
        documents[doc] = {"entities": entities, "relations": relations, "sentiment": sentiment}
    notes = []
    if unresolved:
        notes.append(f"{unresolved} relation suggestions name a head or tail no entity "
                     "suggestion has: left out")
    version: Any = agent.version
    if version is None and len(agent.model_versions) == 1:
        version = next(iter(agent.model_versions))
    return AgentLabellings(documents=documents, version=version, kind=agent.kind,
                           tasks={TASK_OF[SuggestionKind(k)] for k in agent.kinds},
                           notes=notes)


def agent_agreement_inputs(*, project: Project, documents: Iterable[int]) -> AgentInputs:
    wanted = set(documents)
    agents = agent_labellings(project=project, documents=wanted)
    gold = gold_labellings(project=project, documents=wanted) if agents else {}
    return AgentInputs(gold=gold, agents=agents)


def report_agents(*, report_id: int) -> dict[str, Any]:
    """The ``agents`` part of a stored report (the database extracts it); {} when none."""
    row = (AgreementReport.objects.filter(pk=report_id)
           .values_list(KeyTransform("agents", "report"), flat=True).first())
    return row if isinstance(row, dict) else {}
