"""From the stored annotations (arrays read in bulk) to the pure agreement module's Corpus,
without one Python object per entity, and back to a report and per-document scores."""

from dataclasses import dataclass

import numpy as np

from annotation.pure.agreement.agents import agents_report
from annotation.pure.agreement.inputs import Corpus, LabelMeta
from annotation.pure.agreement.relations import RelationTable
from annotation.pure.agreement.report import corpus_report
from annotation.pure.agreement.spans import SpanTable
from annotation.selectors.agent_agreement import agent_agreement_inputs
from annotation.selectors.agreement import StoredAnnotations, document_texts
from projects.models import LabelKind, Project


@dataclass
class Result:
    report: dict
    scores: list[tuple[int, float]]  # (document id, disagreement in [0, 1])
    corpus: Corpus
    meta: LabelMeta


def _names(stored: StoredAnnotations, kind: str) -> tuple[list[int], list[str]]:
    rows = sorted((order, lid, name) for lid, (k, name, _v, order) in stored.labels.items()
                  if k == kind)
    return [lid for _, lid, _ in rows], [name for _, _, name in rows]


def _positions(ids: list[int]) -> dict[int, int]:
    return {lid: i for i, lid in enumerate(ids)}


def label_meta(project: Project, stored: StoredAnnotations) -> LabelMeta:
    _, sentiment = _names(stored, LabelKind.SENTIMENT)
    values = {name: value for _lid, (k, name, value, _o) in stored.labels.items()
              if k == LabelKind.SENTIMENT and value is not None}
    return LabelMeta(sentiment=sentiment,
                     sentiment_values=values if len(values) == len(sentiment) else None,
                     scale="ordinal" if project.sentiment_scale == "ordinal" else "nominal",
                     multi_label=project.sentiment_multi_label,
                     entities=_names(stored, LabelKind.ENTITY)[1],
                     relations=_names(stored, LabelKind.RELATION)[1],
                     tasks=frozenset(project.tasks))


def _sentiment(stored: StoredAnnotations, multi: bool, shape: tuple[int, int],
               coder: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, list[frozenset[int]]]:
    ids, _ = _names(stored, LabelKind.SENTIMENT)
    pos = _positions(ids)
    codes = np.full(shape, -1, dtype=np.int64)
    rows, labels = stored.sentiment[:, 0], stored.sentiment[:, 1]
    chosen = np.fromiter((pos[int(x)] for x in labels), dtype=np.int64, count=len(labels))
    if not multi:
        codes[coder[rows], doc[rows]] = chosen
        return codes, []
    per_row: dict[int, set[int]] = {}
    for row, code in zip(rows.tolist(), chosen.tolist(), strict=True):
        per_row.setdefault(row, set()).add(code)
    sets: dict[frozenset[int], int] = {}
    for row, members in per_row.items():
        codes[coder[row], doc[row]] = sets.setdefault(frozenset(members), len(sets))
    return codes, sorted(sets, key=sets.__getitem__)


def _tables(stored: StoredAnnotations, coder: np.ndarray, doc: np.ndarray
            ) -> tuple[SpanTable, RelationTable]:
    entity_pos = _positions(_names(stored, LabelKind.ENTITY)[0])
    relation_pos = _positions(_names(stored, LabelKind.RELATION)[0])
    sp = stored.spans[np.argsort(stored.spans[:, 1], kind="stable")]  # by span id
    label = np.fromiter((entity_pos[int(x)] for x in sp[:, 4]), dtype=np.int64, count=len(sp))
    spans = SpanTable(doc[sp[:, 0]], coder[sp[:, 0]], sp[:, 2].copy(), sp[:, 3].copy(), label)
    rel = stored.relations
    head, tail = np.searchsorted(sp[:, 1], rel[:, 1]), np.searchsorted(sp[:, 1], rel[:, 2])
    rel_label = np.fromiter((relation_pos[int(x)] for x in rel[:, 3]), dtype=np.int64,
                            count=len(rel))
    relations = RelationTable(doc[rel[:, 0]], coder[rel[:, 0]], spans.start[head],
                              spans.end[head], spans.label[head], spans.start[tail],
                              spans.end[tail], spans.label[tail], rel_label)
    return spans, relations


def corpus_of(project: Project, stored: StoredAnnotations, meta: LabelMeta) -> Corpus:
    ann = stored.annotations
    doc_ids = np.unique(ann[:, 1])
    users = sorted(stored.annotators.items(), key=lambda item: item[1])
    coder_of = {uid: i for i, (uid, _) in enumerate(users)}
    doc = np.searchsorted(doc_ids, ann[:, 1])
    coder = np.fromiter((coder_of[int(u)] for u in ann[:, 2]), dtype=np.int64, count=len(ann))
    submitted = np.zeros((len(users), len(doc_ids)), dtype=bool)
    submitted[coder, doc] = True
    sentiment, sets = _sentiment(stored, meta.multi_label, submitted.shape, coder, doc)
    spans, relations = _tables(stored, coder, doc)
    return Corpus(doc_ids=doc_ids.tolist(), annotators=[name for _, name in users],
                  submitted=submitted, sentiment=sentiment,
                  sentiment_labels=list(meta.sentiment), sentiment_sets=sets,
                  entity_labels=list(meta.entities), relation_labels=list(meta.relations),
                  spans=spans, relations=relations,
                  texts=document_texts(project=project, ids=doc_ids),
                  segmentation=project.segmentation)


def compute(*, project: Project, stored: StoredAnnotations) -> Result:
    meta = label_meta(project, stored)
    corpus = corpus_of(project, stored, meta)
    report = corpus_report(corpus, meta)
    per_document = report.pop("per_document")
    scores = [(int(pk), float(score)) for pk, score
              in zip(per_document["ids"], per_document["disagreement"], strict=True)
              if score is not None]
    return Result(report=report, scores=scores, corpus=corpus, meta=meta)


def agents_part(*, project: Project, result: Result) -> dict:
    """The report's ``agents``: each agent with suggestions on the corpus documents against
    gold and each annotator; computed apart, so the human statistics never see them."""
    inputs = agent_agreement_inputs(project=project, documents=result.corpus.doc_ids)
    if not inputs.agents:
        return {}
    settings = result.report.get("settings") or {}
    return agents_report(result.corpus, result.meta, inputs.gold, inputs.agents,
                         replicates=settings.get("replicates", 1000),
                         seed=settings.get("seed", 0), level=settings.get("level", 0.95))
