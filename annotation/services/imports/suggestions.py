"""A file's ``predictions`` become suggestions (DESIGN.md, "Agents and suggestions"), kept
apart from annotations: each entity, relation (its head's and tail's offsets) and sentiment
of the agent it names (``imported`` when it names none), with its model version ("" when
absent) and score (1.0 when absent). An agent name the project lacks becomes an agent of
kind ``imported``. A merge into a stored document replaces that document's suggestions from
the same agents; a later copy of a text in the file does the same to an earlier one."""

from collections.abc import Iterable

from annotation.models import Agent, AgentKind, Suggestion, SuggestionKind
from annotation.pure.content import Content, Schema
from annotation.readers.records import Labelling, sentiment_sources, source_of
from annotation.services.bulk import BulkWriter
from projects.models import LabelKind, Project

IMPORTED = "imported"  # the agent of predictions that name none

# (kind, label id, start, end, tail start, tail end, agent name, model version, score)
Row = tuple[str, int, int | None, int | None, int | None, int | None, str, str, float]

COLUMNS = ("project_id", "document_id", "agent_id", "model_version", "kind", "label_id",
           "start", "end", "tail_start", "tail_end", "score", "detail")


def suggestion_rows(lab: Labelling, content: Content, schema: Schema) -> list[Row]:
    """The suggestions of a validated ``predictions`` labelling: ``content`` is what
    `validate` made of it (its entities in the labelling's order)."""
    rows: list[Row] = []
    spans: dict[str, tuple[int, int]] = {}
    for i, (entity, (start, end, label_id)) in enumerate(zip(lab.entities, content.entities,
                                                            strict=True)):
        spans[entity.id if entity.id is not None else f"T{i + 1}"] = (start, end)
        src = source_of(entity)
        rows.append((SuggestionKind.ENTITY, label_id, start, end, None, None,
                     src.agent or IMPORTED, src.model_version or "",
                     1.0 if src.score is None else src.score))
    labels = schema.labels
    for relation in lab.relations:
        head, tail = spans[relation.head], spans[relation.tail]
        src = source_of(relation)
        rows.append((SuggestionKind.RELATION, labels[(LabelKind.RELATION, relation.label)].id,
                     *head, *tail, src.agent or IMPORTED, src.model_version or "",
                     1.0 if src.score is None else src.score))
    for name, src in sentiment_sources(lab):
        rows.append((SuggestionKind.SENTIMENT, labels[(LabelKind.SENTIMENT, name)].id,
                     None, None, None, None, src.agent or IMPORTED, src.model_version or "",
                     1.0 if src.score is None else src.score))
    return rows


def replace_rows(kept: list[Row], new: list[Row]) -> list[Row]:
    """``kept`` with the agents of ``new`` replaced by ``new`` (a later copy wins)."""
    agents = {row[6] for row in new}
    return [row for row in kept if row[6] not in agents] + new


def renumber(rows: list[Row], ids: dict[int, int]) -> list[Row]:
    """Placeholder label ids (a label created by this import) to the created labels' ids."""
    return [(kind, ids.get(label, label), *rest) for kind, label, *rest in rows]  # type: ignore[misc]


class Agents:
    """The project's agents by name; the missing ones are created (kind ``imported``) in
    bulk, in the import's transaction."""

    def __init__(self, *, project: Project) -> None:
        self.project = project
        self.ids: dict[str, int] = dict(Agent.objects.filter(project=project)
                                        .values_list("name", "id"))

    def resolve(self, names: Iterable[str]) -> dict[str, int]:
        missing = sorted(set(names) - self.ids.keys())
        if missing:
            Agent.objects.bulk_create([Agent(project=self.project, name=name,
                                             kind=AgentKind.IMPORTED) for name in missing])
            self.ids.update(Agent.objects.filter(project=self.project, name__in=missing)
                            .values_list("name", "id"))
        return self.ids


def write_suggestions(writer: BulkWriter, agents: Agents, project_id: int,
                      fresh: list[tuple[int, list[Row]]],
                      merged: list[tuple[int, list[Row]]]) -> None:
    """Store the suggestions of new documents (``fresh``) and of stored documents a copy
    was merged into (``merged``: their suggestions of the same agents are replaced), both
    as (document id, rows)."""
    into: dict[int, list[Row]] = {}
    for doc_id, rows in merged:  # in the file's order: a later copy wins
        into[doc_id] = replace_rows(into.get(doc_id, []), rows)
    ids = agents.resolve(row[6] for _doc, rows in [*fresh, *into.items()] for row in rows)
    by_agent: dict[int, list[int]] = {}
    for doc_id, rows in into.items():
        for agent in {ids[row[6]] for row in rows}:
            by_agent.setdefault(agent, []).append(doc_id)
    for agent, docs in by_agent.items():
        Suggestion.objects.filter(agent_id=agent, document_id__in=docs).delete()
    writer.insert(Suggestion, COLUMNS, [
        (project_id, doc_id, ids[agent], version, kind, label, start, end, t_start, t_end,
         score, {})
        for doc_id, rows in [*fresh, *into.items()]
        for kind, label, start, end, t_start, t_end, agent, version, score in rows])
