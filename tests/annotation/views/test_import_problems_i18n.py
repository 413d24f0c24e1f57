"""The import report's problems in Chinese (annotation/views/display/problems.py).

Every message here is written by the real code: the readers driven with small bad inputs,
the checks of a record read (cleaning, PII masking, long texts, ids, annotators, the
content's validation) and, for what needs the database, imports through the service. Each
must be matched by a pattern and come out in Chinese with its numbers and names; in English
it comes out as written. Every pattern must be matched by one of these messages.
"""

import io
import json
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from annotation.pure.content import ContentError, LabelSpec, Schema, validate
from annotation.readers import clean, formats, pii
from annotation.readers.formats.tabular import read_table
from annotation.readers.limits import Limits
from annotation.readers.long_texts import limit_record
from annotation.readers.records import Entity, FileError, Labelling, Problem, Record, Relation
from annotation.services.imports.identities import imported_name_problem
from annotation.services.imports.importer import _long_id
from annotation.views.display.problems import PROBLEMS, WORDS, problem_match, problem_text
from tests.annotation.services.imports.test_jobs import run_import
from tests.conftest import page_client_for

CJK = re.compile(r"[\u3400-\u9fff]")


def lines(*records: object) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


def said(fmt: str, data: bytes, **options: object) -> list[str]:
    """The messages of the problems a reader yields, or of the FileError it raises."""
    try:
        items = list(formats.read(fmt, io.BytesIO(data), **options))
    except FileError as exc:
        return [str(exc)]
    return [item.message for item in items if isinstance(item, Problem)]


def problems(*results: object) -> list[str]:
    """The messages of the checks' results that are problems."""
    return [r.message for r in results if isinstance(r, Problem)]


def task(result: list[dict], **data: object) -> bytes:
    """A Label Studio export of one task, annotated by alice."""
    return json.dumps([{"id": 1, "data": {"text": "Alice met Bob", **data},
                        "annotations": [{"completed_by": {"email": "alice@example.com"},
                                         "result": result}]}]).encode()


def region(rid: str, start: int, end: int, text: str | None = None) -> dict:
    value = {"start": start, "end": end, "labels": ["PER"], **({"text": text} if text else {})}
    return {"id": rid, "type": "labels", "value": value}


def entity(start: int, end: int, label: str = "PER", **more: object) -> dict:
    return {"start": start, "end": end, "label": label, **more}


SCHEMA = Schema(labels={("entity", "PER"): LabelSpec(1, "PER", "entity"),
                        ("entity", "ORG"): LabelSpec(2, "ORG", "entity"),
                        ("relation", "works_for"): LabelSpec(3, "works_for", "relation",
                                                             head=frozenset({"PER"}),
                                                             tail=frozenset({"ORG"})),
                        ("sentiment", "positive"): LabelSpec(4, "positive", "sentiment")},
                tasks=frozenset({"ner", "sentiment"}), allow_overlap=False, multi_label=False)
TEXT = "Alice works at Acme."
PAIR = [entity(0, 5), entity(15, 19, "ORG")]  # T1, T2


def invalid(**raw: object) -> list[str]:
    """What the content's validation says of `raw` against SCHEMA."""
    with pytest.raises(ContentError) as caught:
        validate(TEXT, SCHEMA, raw)
    return [error["message"] for error in caught.value.errors]


def gold(*entities: Entity, relations: tuple[Relation, ...] = ()) -> Labelling:
    return Labelling(list(entities), list(relations))


def masked(record: Record) -> Record | Problem:
    return pii.mask_record(record, pii.detect_pii(record.text))


LONG = "aaaa bbbb cccc"  # cut at 5 and 10 by a limit of 5
SHORT_LINES, SHALLOW, FEW_KEYS = Limits(max_line_chars=20), Limits(max_depth=3), Limits(max_keys=3)

READER_CASES: dict[str, Callable[[], list[str]]] = {
    # decode
    "empty": lambda: said("jsonl", b"\xef\xbb\xbf"),
    "not utf-8": lambda: said("jsonl", b'{"text": "bad \xff byte"}\n'),
    # formats and limits
    "long line, file": lambda: said("csv", b"text\n" + b"x" * 30 + b"\n", limits=SHORT_LINES),
    "long line, record": lambda: said("jsonl", lines({"text": "x" * 30}), limits=SHORT_LINES),
    "unknown format": lambda: said("xml", b"<text/>"),
    "too deep": lambda: said("jsonl", lines({"text": "x", "meta": {"a": [[1]]}}),
                                limits=SHALLOW),
    "too deep, array": lambda: said("json", b'[{"text": "x", "meta": {"a": [[1]]}}]',
                                    limits=SHALLOW),
    "too many keys": lambda: said("json", b'[{"text": "x", "meta": {"a": 1, "b": 2}}]',
                                  limits=FEW_KEYS),
    "meta keys": lambda: said("jsonl", lines({"text": "x", "meta": {"a": 1, "b": 2}}),
                              limits=Limits(max_meta_keys=1)),
    "meta key": lambda: said("jsonl", lines({"text": "x", "meta": {"abcdef": 1}}),
                             limits=Limits(max_meta_key_chars=3)),
    "meta value": lambda: said("jsonl", lines({"text": "x", "meta": {"a": "abcdef"}}),
                               limits=Limits(max_meta_value_chars=3)),
    # JSON
    "array of nothing": lambda: said("json", b"  \n "),
    "not an array": lambda: said("json", b'{"text": "x"}'),
    "nested too deeply": lambda: said("jsonl", b"[" * 100_000 + b"]" * 100_000,
                                      limits=Limits(max_depth=1_000_000)),
    "malformed line": lambda: said("jsonl", b'{"text": "ok"}\n{"text": "trunc\n'),
    "after the array": lambda: said("json", b'[{"text": "a"}] x'),
    "after a record": lambda: said("json", b'[{"text": "a"}, {"text": "b" "c"}]'),
    "before the first": lambda: said("json", b"[nope]"),
    "record too large": lambda: said(
        "json", b'[{"text": "a"}, {"text": "' + b"w " * 200_000 + b'"}, {"text": "c"}]',
        limits=Limits(max_line_chars=1000)),
    "surrogate": lambda: said("jsonl", b'{"text": "a \\ud800 b"}\n'),
    # native
    "record not an object": lambda: said("jsonl", lines([1])),
    "missing": lambda: said("jsonl", lines({"id": 1})),
    "empty label": lambda: said("jsonl", lines({"text": "x", "gold": {"entities": [
        entity(0, 1, "")]}})),
    "not a string": lambda: said("jsonl", lines({"text": 42}, {"text": "x", "meta": [1]})),
    "bad id": lambda: said("jsonl", lines({"text": "x", "id": [1]})),
    "bad sentiment": lambda: said("jsonl", lines({"text": "x", "gold": {"sentiment": 5}})),
    "bad predicted sentiment": lambda: said("jsonl", lines(
        {"text": "x", "predictions": {"sentiment": [{"label": "a"}, 5]}})),
    "bad scores": lambda: said("jsonl", lines(
        {"text": "x", "predictions": {"entities": [entity(0, 1, score=1.5)]}},
        {"text": "y", "predictions": {"entities": [entity(0, 1, score="high")]}})),
    "bad agent": lambda: said("jsonl", lines(
        {"text": "x", "predictions": {"entities": [entity(0, 1, agent=" ")]}})),
    "long model version": lambda: said("jsonl", lines(
        {"text": "x", "predictions": {"entities": [entity(0, 1, model_version="v" * 101)]}})),
    "duplicate id, line": lambda: said("jsonl", lines({"id": 7, "text": "a"},
                                                      {"id": 7, "text": "b"})),
    "duplicate id, record": lambda: said("json", json.dumps(
        [{"id": "d", "text": "a"}, {"id": "d", "text": "b"}]).encode()),
    "duplicate entity id": lambda: said("jsonl", lines({"text": "xy", "gold": {"entities": [
        entity(0, 1, id="e"), entity(1, 2, id="e")]}})),
    "no entity, labelling": lambda: said("jsonl", lines({"text": "xy", "gold": {
        "entities": [entity(0, 1, id="e")],
        "relations": [{"head": "e", "tail": "zz", "label": "r"}]}})),
    "annotator twice": lambda: said("jsonl", lines({"text": "x", "annotations": [
        {"annotator": "bob"}, {"annotator": "bob"}]})),
    "foreign key": lambda: said("jsonl", lines({"text": "x", "data": {}})),
    # txt, doccano, Label Studio
    "txt mode": lambda: said("txt", b"x\n", txt_mode="pages"),
    "doccano triple": lambda: said("doccano", lines({"text": "abc", "label": [[0, 1]]})),
    "doccano relation": lambda: said("doccano", lines({
        "text": "abc", "entities": [{"id": 1, "start_offset": 0, "end_offset": 1,
                                     "label": "PER"}],
        "relations": [{"from_id": 9, "to_id": 1, "type": "r"}]})),
    "task not an object": lambda: said("label-studio", b"[1]"),
    "no text in data": lambda: said("label-studio", json.dumps([{"data": {"n": 1}}]).encode()),
    "bad user": lambda: said("label-studio", json.dumps([{"data": {"text": "x"}, "annotations": [
        {"completed_by": [1], "result": []}]}]).encode()),
    "region text": lambda: said("label-studio", task([region("r1", 0, 5, "Bobby")])),
    "no region": lambda: said("label-studio", task([
        region("r1", 0, 5), {"type": "relation", "from_id": "r9", "to_id": "r1"}])),
    "relation without label": lambda: said("label-studio", task([
        region("r1", 0, 5), region("r2", 10, 13),
        {"type": "relation", "from_id": "r1", "to_id": "r2", "labels": []}])),
    # tables
    "column twice": lambda: said("csv", b"text,a,a\nx,1,2\n"),
    "wide header": lambda: said("csv", b"text,a,b,c\nx,1,2,3\n", limits=Limits(max_meta_keys=1)),
    "long column name": lambda: said("tsv", b"text\tabcdef\nx\t1\n",
                                     limits=Limits(max_meta_key_chars=3)),
    "no text column": lambda: said("csv", b"id,body\n1,hello\n"),
    "no header": lambda: said("csv", b"\n\n"),
    "malformed csv": lambda: problems(*read_table(["text\n", "a\rb\n"])),
    "fields": lambda: said("csv", b"text,a\nx\n"),
    # CoNLL
    "unknown tag": lambda: said("conll", b"Alice X-PER\n"),
    "one column": lambda: said("conll", b"Alice\n"),
    # cleaning, PII, long texts
    "normalization": lambda: problems(clean.clean_record(
        Record(1, "Cafe\u0301 bar", gold=gold(Entity(0, 4, "PER"))))),
    "control characters": lambda: problems(clean.clean_record(
        Record(1, "a\x01b", gold=gold(Entity(1, 2, "PER"))))),
    "pii": lambda: problems(masked(Record(1, "Mail alice@example.com now",
                                          gold=gold(Entity(0, 10, "PER"))))),
    "too long": lambda: problems(limit_record(Record(1, "x" * 1200), limit=1000, mode="error")),
    "split, bad offsets": lambda: problems(limit_record(
        Record(1, LONG, gold=gold(Entity(-1, 2, "PER"))), limit=5, mode="split")),
    "split, crossing": lambda: problems(limit_record(
        Record(1, LONG, gold=gold(Entity(3, 7, "PER"))), limit=5, mode="split")),
    "split, relation": lambda: problems(limit_record(
        Record(1, LONG, gold=gold(Entity(0, 4, "PER", "T1"), Entity(5, 9, "ORG", "T2"),
                                  relations=(Relation("T1", "T2", "works_for"),))),
        limit=5, mode="split")),
    # the import's checks that need no database
    "long id": lambda: problems(_long_id(Record(1, "t", id="x" * 300)),
                                _long_id(Record(1, "t", id="x" * 300, part=2))),
    "annotator names": lambda: [imported_name_problem("n" * 121) or "",
                                imported_name_problem("no spaces, please") or ""],
    # the content's validation
    "content shapes": lambda: invalid(entities="T1") + invalid(relations="T1") + invalid(
        entities=[1]) + invalid(relations=[1]),
    "content ids": lambda: invalid(entities=[entity(0, 5, id="i" * 65)]),
    "content values": lambda: invalid(entities=[entity("0", 5), entity(0, 5, 7)]),
    "content offsets": lambda: invalid(entities=[entity(3, 3), entity(0, 99), entity(-1, 2)]),
    "content labels": lambda: invalid(entities=[entity(0, 5, "positive"), entity(6, 9, "GPE")],
                                      relations=[{"head": "T1", "tail": "T2", "label": "PER"},
                                                 {"head": "T1", "tail": "T2", "label": "likes"}],
                                      sentiment="PER") + invalid(sentiment="meh"),
    "content overlap": lambda: invalid(entities=[entity(0, 5), entity(2, 9)]),
    "content relations": lambda: invalid(entities=PAIR, relations=[
        {"head": "T9", "tail": "T2", "label": "works_for"},
        {"head": "T1", "tail": "T1", "label": "works_for"},
        {"head": "T2", "tail": "T1", "label": "works_for"}]),
    "content tasks": lambda: invalid(entities=PAIR, relations=[
        {"head": "T1", "tail": "T2", "label": "works_for"}], sentiment=["positive", "positive"]),
}


def check(message: str) -> int:
    """The index of the pattern that matches `message`, once its translation is checked."""
    found = problem_match(message)
    assert found is not None, f"no pattern matches {message!r}"
    index = found[0]
    with translation.override("zh-hans"):
        chinese = problem_text(message)
    assert chinese != message, message
    assert CJK.search(chinese), (message, chinese)
    groups = PROBLEMS[index][0].fullmatch(message)
    assert groups is not None
    kept = [value for name, value in groups.groupdict().items()
            if value is not None and name not in WORDS]
    assert all(value in chinese for value in kept), (message, chinese)
    assert all(number in chinese for number in re.findall(r"\d+", message)), (message, chinese)
    with translation.override("en"):
        assert problem_text(message) == message
    return index


@pytest.mark.parametrize("case", READER_CASES)
def test_a_message_of_the_readers_and_checks_is_translated(case):
    messages = READER_CASES[case]()
    assert messages, case
    assert all(messages), (case, messages)
    for message in messages:
        check(message)


def test_a_message_no_pattern_knows_is_kept():
    with translation.override("zh-hans"):
        assert problem_text("something new went wrong") == "something new went wrong"
        assert problem_text("missing piece") == "missing piece"  # patterns match whole


@pytest.fixture
def imports(world, media, django_capture_on_commit_callbacks):
    """Imports run in-process (as with no REDIS_URL); the job as it ends."""
    def go(data: bytes, name: str = "data.jsonl", **options: object):
        with django_capture_on_commit_callbacks(execute=True):
            job = run_import(world, data, name, **options)
        job.refresh_from_db()
        return job
    return go


def service_messages(imports, world, settings) -> list[str]:
    """What the import service says of records, through imports of the world's project."""
    imports(lines({"id": "d1", "text": "The first one."}))
    taken = imports(lines({"id": "d1", "text": "Another one."}), on_error="skip")
    twice = {"text": "Alice is here.", "annotations": [{"annotator": "bob", "entities": [
        entity(0, 5)]}], "gold": {"entities": [entity(0, 5)]}}
    merged = imports(lines(twice, twice), duplicates="merge", on_error="skip")
    settings.CONCORD_MAX_DOCUMENT_CHARS = 10
    settings.CONCORD_PROJECT_MAX_LABELS = 5  # the world's project has 5
    world.project.pii_policy = "mask"
    world.project.save()
    checked = imports(lines(
        {"id": "a", "text": LONG}, {"id": "a#1", "text": "short"},
        {"id": "y" * 254, "text": LONG + " d"}, {"id": "z" * 300, "text": "short two"},
        {"text": "a@b.cd xyz"},  # masked: [EMAIL] is longer
        {"text": "x1", "annotations": [{"annotator": "n" * 121}]},
        {"text": "x2", "annotations": [{"annotator": "no spaces"}]},
        {"text": "x3", "gold": {"entities": [entity(0, 1, "A\u0001B")]}},
        {"text": "x4", "gold": {"entities": [entity(0, 1, "NEW")]}},
    ), long_texts="split", create_labels=True, on_error="skip")
    return [e["message"] for job in (taken, merged, checked) for e in job.errors]


def test_every_pattern_is_matched_by_a_real_message(imports, world, settings):
    from_service = service_messages(imports, world, settings)
    assert len(from_service) == 12, from_service
    matched = {check(message) for message in from_service}
    matched |= {check(message) for case in READER_CASES.values() for message in case()}
    never = [PROBLEMS[i][0].pattern for i in range(len(PROBLEMS)) if i not in matched]
    assert not never, "patterns no real message matched:\n" + "\n".join(never)


def test_the_job_page_shows_the_problems_in_chinese(world, imports):
    job = imports(lines(
        {"text": "A good record."},
        {"text": 42},
        {"text": "Bob here", "gold": {"entities": [entity(0, 3, "GPE")]}},
        {"text": "short", "annotations": [{"annotator": "a", "entities": [entity(0, 99)]}]},
        {"text": "Alice again", "id": "x" * 300},
    ))
    assert job.status == "failed"
    assert [(e["line"], e["field"]) for e in job.errors] == [
        (2, "text"), (3, "gold.entities[0].label"), (4, "annotations[0].entities[0]"),
        (5, "id")]
    page = page_client_for(world.users["manager"])
    url = reverse("projects:job", kwargs={"job_id": job.pk})
    html = page.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        line = translation.gettext("line")
        for error in job.errors:
            chinese = problem_text(error["message"])
            assert CJK.search(chinese)
            assert (f"<li>{line} {error['line']}: <code>{error['field']}</code>: "
                    f"{escape(chinese)}</li>") in html
            assert escape(error["message"]) not in html
    assert "must be a string" in job.errors[0]["message"]  # the stored job keeps English
    english = page.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert all(escape(error["message"]) in english for error in job.errors)


def test_the_job_page_shows_a_file_error_in_chinese(world, imports):
    job = imports(b'{"text": "caf\xc3\xa9"}\n{"text": "bad \xff byte"}\n')
    assert job.status == "failed"
    assert job.message.startswith("The file is not valid UTF-8 at byte 32")
    page = page_client_for(world.users["manager"])
    html = page.get(reverse("projects:job", kwargs={"job_id": job.pk}),
                    HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        chinese = escape(problem_text(job.message))
    assert CJK.search(chinese)
    assert chinese in html
    assert escape(job.message) not in html
