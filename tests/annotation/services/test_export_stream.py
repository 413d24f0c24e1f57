"""The streamed export's reading: chunks by keyset, read ahead by a thread outside a
transaction, the same records either way."""

import itertools
import json
import threading
from collections.abc import Iterator

import pytest
from django.db import transaction

from annotation.models import Document
from annotation.pure.exports import Export
from annotation.pure.exports.stored import records
from annotation.selectors import exports
from annotation.services.exports import export_labels, export_stream
from annotation.services.store import annotation_save
from tests.factories import DocumentFactory, UserFactory

TEXT = "Alice joined 阿里巴巴 in 2019 🎉"
CONTENT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                        {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
           "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
           "sentiment": "positive"}


def corpus(world) -> list[str]:
    """Seven more documents: each with a submitted annotation and a draft, every other one
    with a gold. Returns the external ids of the documents with a gold, in order."""
    a, b = UserFactory(username="ann-a"), UserFactory(username="ann-b")
    gold = []
    for i in range(7):
        doc = DocumentFactory(project=world.project, text=TEXT, external_id=f"d{i}")
        annotation_save(document=doc, annotator=a, status="submitted", version=0,
                        content={**CONTENT, "sentiment": "negative" if i % 3 else "positive"})
        annotation_save(document=doc, annotator=b, status="draft", version=0, content=CONTENT)
        if i % 2:
            annotation_save(document=doc, annotator=world.users["reviewer"], kind="gold",
                            status="submitted", version=0, content=CONTENT)
            gold.append(f"d{i}")
    return gold


def export_records(project, scope: str) -> Iterator[dict]:
    """The native records the writers read, from the one selector's documents."""
    return records(exports.export_documents(project=project, scope=scope), scope=scope,
                   multi_label=project.sentiment_multi_label)


def ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-read-ahead"]


@pytest.mark.django_db(transaction=True)
def test_read_ahead_outside_a_transaction_gives_the_records_read_in_turn(world, monkeypatch):
    gold = corpus(world)
    monkeypatch.setattr(exports, "CHUNK", 2)  # several chunks, some with no gold at all
    used = []
    real = exports.read_ahead
    monkeypatch.setattr(exports, "read_ahead", lambda source: used.append(1) or real(source))
    for scope in ("gold", "all"):
        ahead = list(export_records(world.project, scope))
        with transaction.atomic():
            in_turn = list(export_records(world.project, scope))
        assert ahead == in_turn
        if scope == "gold":
            assert [r["id"] for r in ahead if r.get("gold")] == gold
        else:
            assert len(ahead) == 8  # the world's document too
            assert all(len(r["annotations"]) == 1 for r in ahead[1:])  # drafts left out
            assert all(r["annotations"][0]["annotator"] == "ann-a" for r in ahead[1:])
            assert [r["annotations"][0]["sentiment"] for r in ahead[1:4]] == [
                "positive", "negative", "negative"]
    assert len(used) == 2  # the thread read for the two calls outside a transaction
    assert not ahead_threads()


def test_read_ahead_hands_on_an_error_after_the_items_before_it():
    def source():
        yield 1
        yield 2
        raise ValueError("broken")

    got = []

    def consume():
        for item in exports.read_ahead(source()):
            got.append(item)

    with pytest.raises(ValueError, match="broken"):
        consume()
    assert got == [1, 2]
    assert not ahead_threads()


def test_closing_the_reader_early_stops_its_thread():
    reader = exports.read_ahead(itertools.count(), depth=2)
    assert [next(reader), next(reader)] == [0, 1]
    assert ahead_threads()
    reader.close()
    assert not ahead_threads()


@pytest.mark.django_db(transaction=True)
def test_gold_jsonl_from_tuples_is_the_bytes_of_the_records(world, monkeypatch):
    """``Export.write`` of the selector's documents (jsonl gold: lines from the tuples) against
    ``chunks`` of their records: the same bytes, read ahead or in turn, chunk after chunk."""
    corpus(world)
    text = 'Bob\u2028at "ACME" \\ \x1c ok'
    extra = DocumentFactory(project=world.project, text=text, external_id="",
                            meta={"source": "web", "n": 2, "f": 1.5, "deep": {"a": [1, "\u2028"]}})
    annotation_save(document=extra, annotator=world.users["reviewer"], kind="gold",
                    status="submitted", version=0,
                    content={"entities": [{"id": "T1", "start": 0, "end": 3, "label": "PER"},
                                          {"id": "T2", "start": 8, "end": 12, "label": "ORG"}],
                             "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
                             "sentiment": None})
    orphan = DocumentFactory(project=world.project, external_id="reviewed-without-gold")
    Document.objects.filter(pk=orphan.pk).update(status="reviewed")
    monkeypatch.setattr(exports, "CHUNK", 2)  # several chunks, one holding the orphan
    labels = export_labels(world.project)

    def slow() -> bytes:
        return b"".join(Export("jsonl", labels).chunks(
            export_records(world.project, "gold")))

    def fast() -> bytes:
        return b"".join(Export("jsonl", labels).write(
            exports.export_documents(project=world.project, scope="gold")))

    expected = slow()
    golds = [r for r in export_records(world.project, "gold")
             if r.get("gold")]
    assert len(expected.decode().splitlines()) == len(golds) == 4  # d1, d3, d5, extra
    assert fast() == expected  # read ahead
    with transaction.atomic():
        assert fast() == expected  # in turn
    _, streamed = export_stream(project=world.project, fmt="jsonl", scope="gold")
    assert b"".join(streamed) == expected
    last = json.loads(expected.decode().splitlines()[-1])
    assert last["id"] == str(extra.pk)
    assert last["meta"]["deep"] == {"a": [1, "\u2028"]}
    assert [e["text"] for e in last["gold"]["entities"]] == ["Bob", "ACME"]
    assert not ahead_threads()
