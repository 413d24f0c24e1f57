"""Suggestions computed ahead: the switched-on agents' proposals for every document still
to label, in batches, so that `next` only reads them. A batch replaces those agents'
suggestions of its documents in one transaction, and sets each document's confidence (the
least sure decision of any model) for least-confident-first order. An agent whose artifact
is missing or corrupt is switched off with a message; the others go on.

Writing a batch is three statements on PostgreSQL: one DELETE of its documents' suggestions
from the running agents (an id range and an array), a COPY of the new rows (BulkWriter, as
the import writes; bulk_create elsewhere) and one UPDATE ... FROM of the confidence (and
rank). Outside a transaction the writes go to a thread on its own connection, so that the
server stores a batch (its document key is checked row by row at commit) while the next
one is predicted. Prediction runs in CONCORD_SUGGEST_PROCESSES child interpreters
(`ensemble.Predictor`) when the run is big enough, batch after batch. Every proposal is
stored: on the bench's texts (about 50 mentions per 400 characters) the entity agents'
scores are all above 0.3, so a score floor would drop nothing."""

import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from annotation.models import Agent, AgentKind, Document, Suggestion
from annotation.pure.assist.ensemble import Batch, Member, Predictor, predict_rows
from annotation.selectors.agents import open_documents
from annotation.services.agents.artifacts import artifact_read
from annotation.services.agents.llm import llm_precompute
from annotation.services.agents.registry import agent_switch_off
from annotation.services.agents.training import MODULES, model_module
from annotation.services.bulk import BulkWriter
from projects.models import Label, Order, Project
from projects.services.dispatch import SUGGEST_TASK, task_named

BATCH = 500
# The import's suggestion columns (services/imports/suggestions.py, which imports this
# module: importing them back would make a cycle).
COLUMNS = ("project_id", "document_id", "agent_id", "model_version", "kind", "label_id",
           "start", "end", "tail_start", "tail_end", "score", "detail")


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
    labels = _labels(project)
    total = max(Document.objects.filter(project=project, status="new").count(), 1)
    with _writing() as write, Predictor(_members(loaded), _processes(total)) as predictor:
        for ids, predicted in predictor.run(_open_batches(project)):
            computed = _computed(project, loaded, labels, ids, predicted)
            write(partial(_write, project, loaded, computed))
            tally.suggestions += len(computed.rows)
            tally.documents += len(ids)
            if progress is not None:
                progress(min(tally.documents / total, 0.99), "")
    return tally.__dict__


def _open_batches(project: Project) -> Iterator[tuple[list[int], list[str]]]:
    after = 0
    while batch := open_documents(project=project, after=after, limit=BATCH):
        after = batch[-1][0]
        yield [pk for pk, _text in batch], [text for _pk, text in batch]


def _processes(documents: int) -> int:
    """Processes to predict in: CONCORD_SUGGEST_PROCESSES (0: the CPUs this process may
    use), and 1 when the documents are fewer than two batches per process."""
    wanted = settings.CONCORD_SUGGEST_PROCESSES or _cpus()
    return max(1, min(wanted, documents // (2 * BATCH)))


def _cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere every CPU
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _members(loaded: list[Loaded]) -> list[Member]:
    return [Member(slot, str(item.agent.kind), item.model) for slot, item in enumerate(loaded)]


def _labels(project: Project) -> dict[tuple[str, str], int]:
    return {(kind, name): pk for pk, kind, name in
            Label.objects.filter(project=project).values_list("pk", "kind", "name")}


@dataclass
class Computed:
    """A batch's rows (COLUMNS) and its documents' confidence, ready to write."""

    documents: list[int]
    rows: list[tuple[Any, ...]]
    confidence: dict[int, float]


def _batch(project: Project, loaded: list[Loaded], labels: dict[tuple[str, str], int],
           batch: list[tuple[int, str]]) -> int:
    """One batch, computed and written in this process (the precompute's step, run alone)."""
    ids = [pk for pk, _text in batch]
    predicted = predict_rows(_members(loaded), [text for _pk, text in batch])
    computed = _computed(project, loaded, labels, ids, predicted)
    _write(project, loaded, computed)
    return len(computed.rows)


def _computed(project: Project, loaded: list[Loaded], labels: dict[tuple[str, str], int],
              ids: list[int], predicted: Batch) -> Computed:
    """The batch's rows for the table; a label renamed or deleted since training drops its
    proposals."""
    agents = [(item.agent.pk, item.version) for item in loaded]
    rows: list[tuple[Any, ...]] = []
    add, project_id, get = rows.append, project.pk, labels.get
    for i, slot, kind, name, start, end, tail_start, tail_end, score in predicted.rows:
        label = get((kind, name))
        if label is not None:
            agent_id, version = agents[slot]
            add((project_id, ids[i], agent_id, version, kind, label, start, end,
                 tail_start, tail_end, score, {}))
    confidence = {pk: value for pk, value in zip(ids, predicted.confidence, strict=True)
                  if value is not None}
    return Computed(ids, rows, confidence)


@transaction.atomic
def _write(project: Project, loaded: list[Loaded], computed: Computed) -> None:
    """Replace the batch's suggestions of the running agents and set its confidence, in
    one transaction: DELETE, COPY (bulk_create off PostgreSQL), one UPDATE."""
    writer = BulkWriter()
    _delete(writer, computed.documents, [item.agent.pk for item in loaded])
    writer.insert(Suggestion, COLUMNS, computed.rows)
    _confidence_write(writer, computed.confidence, rank=project.order == Order.UNCERTAINTY)


@contextmanager
def _writing() -> Iterator[Callable[[Callable[[], None]], None]]:
    """Run the batches' writes one after the other. On PostgreSQL, outside a transaction,
    in a thread on its own connection: the server stores a batch (its foreign keys are
    checked row by row at commit) while this thread predicts the next one. At most one
    batch waits; a failed write stops the run with its error."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield lambda job: job()
        return
    jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def work() -> None:
        try:
            while (job := jobs.get()) is not None:
                if not failed:
                    try:
                        job()
                    except BaseException as exc:  # raised in the caller
                        failed.append(exc)
        finally:
            connection.close()  # this thread's own

    def submit(job: Callable[[], None]) -> None:
        if failed:
            raise failed[0]
        jobs.put(job)

    thread = threading.Thread(target=work, name="suggestions-writer", daemon=True)
    thread.start()
    try:
        yield submit
    finally:
        jobs.put(None)
        thread.join()
    if failed:
        raise failed[0]


def _delete(writer: BulkWriter, documents: list[int], agents: list[int]) -> None:
    """The batch's documents' suggestions of the running agents, in one statement. The id
    range beside the array keeps PostgreSQL on the document index even when its statistics
    are stale (a table never analysed reads as small: it would scan the agent index)."""
    if not writer.postgres:
        Suggestion.objects.filter(document_id__in=documents, agent_id__in=agents).delete()
        return
    with connection.cursor() as cur:
        cur.execute(f'DELETE FROM "{Suggestion._meta.db_table}" WHERE document_id BETWEEN %s '
                    f'AND %s AND document_id = ANY(%s::bigint[]) AND agent_id = ANY(%s::bigint[])',
                    [min(documents), max(documents), documents, agents])


def _confidence_write(writer: BulkWriter, confidence: dict[int, float], *, rank: bool) -> None:
    """The documents' confidence; under least-confident-first order, their rank too (the
    rank services.ordering gives them: rank = confidence). One UPDATE ... FROM the arrays
    on PostgreSQL."""
    if not confidence:
        return
    if not writer.postgres:
        docs = [Document(pk=pk, confidence=value, rank=value)
                for pk, value in confidence.items()]
        Document.objects.bulk_update(docs, ["confidence", "rank"] if rank else ["confidence"],
                                     batch_size=1000)
        return
    columns = "confidence = v.value" + (", rank = v.value" if rank else "")
    with connection.cursor() as cur:
        cur.execute(f'UPDATE "{Document._meta.db_table}" AS d SET {columns} '
                    f'FROM unnest(%s::bigint[], %s::float8[]) AS v (id, value) '
                    f'WHERE d.id = v.id', [list(confidence), list(confidence.values())])


def suggestions_schedule(*, project: Project) -> bool:
    """After new open documents came (an import): queue a suggestion run on commit when
    the project has a switched-on agent with a model (or the LLM agent)."""
    agents = Agent.objects.filter(project=project, active=True)
    if not (agents.filter(version__isnull=False).exists()
            or agents.filter(kind=AgentKind.LLM).exists()):
        return False
    transaction.on_commit(lambda: task_named(SUGGEST_TASK).delay(project.pk))
    return True
