"""Native ``predictions`` may say who proposed each entity, relation and sentiment: ``agent``,
``model_version`` and ``score`` (DESIGN.md, "Agents and suggestions")."""

import io
import json

import pytest

from annotation.readers import formats
from annotation.readers.formats.native import record_from
from annotation.readers.records import (
    Entity,
    Labelling,
    PredictedEntity,
    PredictedRelation,
    Predictions,
    Problem,
    Record,
    Relation,
    Source,
    sentiment_sources,
)


def read(*records: object) -> list[Record | Problem]:
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


    return list(formats.read("jsonl", io.BytesIO(data)))


def test_entities_relations_and_sentiment_carry_their_source():
    [record] = read({"text": "Alice met Bob", "predictions": {
        "entities": [{"id": "a", "start": 0, "end": 5, "label": "PER", "agent": "crf",
                      "model_version": "v3", "score": 0.875},
                     {"id": "b", "start": 10, "end": 13, "label": "PER"}],
        "relations": [{"head": "a", "tail": "b", "label": "knows", "score": 0}],
        "sentiment": [{"label": "positive", "agent": "llm", "score": 1},
                      "neutral"]}})
    assert isinstance(record, Record)
    assert record.predictions == Predictions(
        [PredictedEntity(0, 5, "PER", "a", Source("crf", "v3", 0.875)),
         Entity(10, 13, "PER", "b")],
        [PredictedRelation("a", "b", "knows", Source(None, None, 0.0))],
        ["positive", "neutral"], [Source("llm", None, 1.0), Source()])
    assert sentiment_sources(record.predictions) == [("positive", Source("llm", None, 1.0)),
                                                      ("neutral", Source())]


def test_a_single_sentiment_object_and_plain_predictions_stay_as_they_were():
    [one, plain] = read(
        {"text": "a", "predictions": {"sentiment": {"label": "positive", "model_version": "x"}}},
        {"text": "b", "predictions": {"entities": [{"start": 0, "end": 1, "label": "X"}],
                                      "sentiment": "positive"}})
    assert isinstance(one, Record)
    assert isinstance(plain, Record)
    assert one.predictions == Predictions([], [], ["positive"], [Source(None, "x", None)])
    assert plain.predictions == Labelling([Entity(0, 1, "X")], [], "positive")
    assert type(plain.predictions.entities[0]) is Entity  # plain entities pay nothing


def test_annotations_and_gold_ignore_the_keys():
    record = record_from({"text": "a", "gold": {"entities": [
        {"start": 0, "end": 1, "label": "X", "agent": "crf", "score": 9}]}}, 1)
    assert record.gold == Labelling([Entity(0, 1, "X")])


@pytest.mark.parametrize(("predictions", "field", "message"), [
    ({"entities": [{"start": 0, "end": 1, "label": "X"},
                   {"start": 0, "end": 1, "label": "X", "score": 1.5}]},
     "predictions.entities[1].score", "must be a number from 0 to 1, got 1.5"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "score": -0.1}]},
     "predictions.entities[0].score", "must be a number from 0 to 1, got -0.1"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "score": "0.5"}]},
     "predictions.entities[0].score", "must be a number from 0 to 1, got string"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "score": True}]},
     "predictions.entities[0].score", "must be a number from 0 to 1, got boolean"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "agent": ""}]},
     "predictions.entities[0].agent", "an agent's name has 1 to 100 characters"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "agent": "a" * 101}]},
     "predictions.entities[0].agent", "an agent's name has 1 to 100 characters"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "agent": 3}]},
     "predictions.entities[0].agent", "must be a string, got number"),
    ({"entities": [{"start": 0, "end": 1, "label": "X", "model_version": "v" * 101}]},
     "predictions.entities[0].model_version", "has 101 characters; at most 100"),
    ({"entities": [{"id": "a", "start": 0, "end": 1, "label": "X"},
                   {"id": "b", "start": 0, "end": 1, "label": "X"}],
      "relations": [{"head": "a", "tail": "b", "label": "r", "agent": "x\n"}]},
     "predictions.relations[0].agent", "an agent's name has 1 to 100 characters"),
    ({"sentiment": [{"label": "pos", "score": 2}]},
     "predictions.sentiment[0].score", "must be a number from 0 to 1, got 2"),
    ({"sentiment": {"score": 0.5}}, "predictions.sentiment.label", "missing"),
    ({"sentiment": [{"label": "pos"}, 3]}, "predictions.sentiment[1]",
     "must be a string or an object {label, agent, model_version, score}, got number"),
])
def test_a_bad_source_names_line_and_field(predictions, field, message):
    [ok, bad] = read({"text": "fine"}, {"text": "a", "predictions": predictions})
    assert isinstance(ok, Record)
    assert isinstance(bad, Problem)
    assert (bad.line, bad.field) == (2, field)
    assert bad.message.startswith(message)


def test_relations_keep_plain_ids():
    [record] = read({"text": "ab", "predictions": {
        "entities": [{"id": 1, "start": 0, "end": 1, "label": "X"},
                     {"id": 2, "start": 1, "end": 2, "label": "X", "agent": "m"}],
        "relations": [{"head": 1, "tail": 2, "label": "r"}]}})
    assert isinstance(record, Record)
    assert record.predictions is not None
    assert record.predictions.relations == [Relation("1", "2", "r")]
    assert record.predictions.entities[1] == PredictedEntity(1, 2, "X", "2", Source("m"))


def test_a_split_long_text_keeps_the_sources():
    from annotation.readers.long_texts import limit_record

    record = record_from({"text": "Alice. " * 4, "predictions": {
        "entities": [{"start": 0, "end": 5, "label": "PER", "agent": "m", "score": 0.5},
                     {"start": 21, "end": 26, "label": "PER"}],
        "sentiment": [{"label": "positive", "agent": "s"}]}}, 1)
    parts = limit_record(record, limit=14, mode="split")
    assert isinstance(parts, list)
    assert len(parts) > 1
    first, last = parts[0].predictions, parts[-1].predictions
    assert isinstance(first, Predictions)
    assert isinstance(last, Predictions)
    assert first.entities == [PredictedEntity(0, 5, "PER", "T1", Source("m", None, 0.5))]
    assert type(last.entities[0]) is Entity
    assert sentiment_sources(last) == [("positive", Source("s"))]
