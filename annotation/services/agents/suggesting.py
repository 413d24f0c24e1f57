"""Suggestions computed ahead: the switched-on agents' proposals for every document still
to label, in batches, so that `next` only reads them. A batch replaces those agents'
suggestions of its documents in one transaction, and sets each document's confidence (the
least sure decision of any model) for least-confident-first order. An agent whose artifact
is missing or corrupt is switched off with a message; the others go on."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from annotation.models import Agent, AgentKind, Document, Suggestion
from annotation.pure.assist.base import ENTITY, GoldDoc, Predicted, Proposal
from annotation.selectors.agents import open_documents
from annotation.services.agents.artifacts import artifact_read
from annotation.services.agents.llm import llm_precompute
from annotation.services.agents.registry import agent_switch_off
from annotation.services.agents.training import MODULES, model_module
from projects.models import Label, Order, Project
from projects.services.dispatch import SUGGEST_TASK, task_named

BATCH = 500
ENTITY_AGENTS = (AgentKind.DICTIONARY, AgentKind.CRF)


@dataclass
class Loaded:
    agent: Agent
    model: Any
    module: Any
    version: str


@dataclass
class Tally:
    documents: int = 0
    suggestions: int = 0
    agents: list[str] = field(default_factory=list)
    off: dict[str, str] = field(default_factory=dict)
    llm: dict[str, int] = field(default_factory=dict)


def _load(project: Project, tally: Tally) -> list[Loaded]:
    from annotation.pure.assist.artifact import ArtifactError

    loaded = []
    agents = (Agent.objects.filter(project=project, active=True, kind__in=MODULES,
                                   version__isnull=False).select_related("version"))
    for agent in agents:
        assert agent.version is not None
        try:
            model = artifact_read(version=agent.version)
        except ArtifactError as exc:
            message = _("Switched off: its model could not be read (%(why)s). Train it again.") \
                % {"why": exc}
            agent_switch_off(agent=agent, message=message)
            tally.off[agent.name] = message
            continue
        loaded.append(Loaded(agent, model, model_module(agent.kind),
                             str(agent.version.number)))
    order = {str(name): i for i, name in enumerate(MODULES)}  # entities before relations
    return sorted(loaded, key=lambda item: order[item.agent.kind])


def suggestions_precompute(*, project_id: int,
                           progress: Callable[[float, str], None] | None = None) -> dict:
    """Compute the switched-on trained agents' suggestions for the open documents."""
    project = Project.objects.filter(pk=project_id, deleted_at__isnull=True).first()
    tally = Tally()
    if project is None:
        return tally.__dict__
    loaded = _load(project, tally)
    tally.agents = [item.agent.name for item in loaded]
    tally.llm = llm_precompute(project=project)
    if not loaded:
        return tally.__dict__
    labels = {(kind, name): pk for pk, kind, name in
              Label.objects.filter(project=project).values_list("pk", "kind", "name")}
    total = max(Document.objects.filter(project=project, status="new").count(), 1)
    after = 0
    while batch := open_documents(project=project, after=after, limit=BATCH):
        after = batch[-1][0]
        tally.suggestions += _batch(project, loaded, labels, batch)
        tally.documents += len(batch)
        if progress is not None:
            progress(min(tally.documents / total, 0.99), "")
    return tally.__dict__


def _predict(loaded: list[Loaded], texts: list[str]) -> list[list[tuple[Loaded, Predicted]]]:
    per_doc: list[list[tuple[Loaded, Predicted]]] = [[] for _text in texts]
    entities: list[list[tuple[int, int, str]]] = [[] for _text in texts]
    for item in loaded:
        if item.agent.kind == AgentKind.RELATION:
            docs = [GoldDoc(text=text, entities=tuple(sorted(set(found))))
                    for text, found in zip(texts, entities, strict=True)]
        else:
            docs = [GoldDoc(text=text) for text in texts]
        for i, predicted in enumerate(item.module.predict(item.model, docs)):
            per_doc[i].append((item, predicted))
            if item.agent.kind in ENTITY_AGENTS:
                entities[i] += [(p.start, p.end, p.label) for p in predicted.proposals
                                if p.kind == ENTITY and p.start is not None and p.end is not None]
    return per_doc


@transaction.atomic
def _batch(project: Project, loaded: list[Loaded], labels: dict[tuple[str, str], int],
           batch: list[tuple[int, str]]) -> int:
    ids = [pk for pk, _text in batch]
    results = _predict(loaded, [text for _pk, text in batch])
    rows, confidence = [], {}
    for pk, found in zip(ids, results, strict=True):
        for item, predicted in found:
            rows += [row for p in predicted.proposals
                     if (row := _row(project, pk, item, p, labels)) is not None]
        if found:
            confidence[pk] = min(predicted.confidence for _item, predicted in found)
    Suggestion.objects.filter(document_id__in=ids,
                              agent__in=[item.agent for item in loaded]).delete()
    Suggestion.objects.bulk_create(rows, batch_size=2000)
    _confidence_write(confidence, rank=project.order == Order.UNCERTAINTY)
    return len(rows)


def _row(project: Project, document_id: int, item: Loaded, p: Proposal,
         labels: dict[tuple[str, str], int]) -> Suggestion | None:
    label = labels.get((p.kind, p.label))
    if label is None:  # a label renamed or deleted since training
        return None
    return Suggestion(project=project, document_id=document_id, agent=item.agent,
                      model_version=item.version, kind=p.kind, label_id=label, start=p.start,
                      end=p.end, tail_start=p.tail_start, tail_end=p.tail_end,
                      score=min(max(p.score, 0.0), 1.0))


def _confidence_write(confidence: dict[int, float], *, rank: bool) -> None:
    """The documents' confidence; under least-confident-first order, their rank too (the
    rank services.ordering gives them: rank = confidence)."""
    docs = [Document(pk=pk, confidence=value, rank=value) for pk, value in confidence.items()]
    Document.objects.bulk_update(docs, ["confidence", "rank"] if rank else ["confidence"],
                                 batch_size=1000)


def suggestions_schedule(*, project: Project) -> bool:
    """After new open documents came (an import): queue a suggestion run on commit when
    the project has a switched-on agent with a model (or the LLM agent)."""
    agents = Agent.objects.filter(project=project, active=True)
    if not (agents.filter(version__isnull=False).exists()
            or agents.filter(kind=AgentKind.LLM).exists()):
        return False
    transaction.on_commit(lambda: task_named(SUGGEST_TASK).delay(project.pk))
    return True
