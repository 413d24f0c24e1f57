"""The demo loader: idempotent, every role, every status, offsets that hold, dashboards
filled; and the Makefile's demo path installs the runtime dependencies only."""

import os
import re
import shutil
import subprocess
from collections import Counter
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from annotation.demo.corpus import DOCUMENTS, RELATION_RULES
from annotation.demo.loader import PASSWORD, PROJECT_NAME, load_demo
from annotation.models import (
    AgreementReport,
    Annotation,
    AnnotationKind,
    Document,
    DocumentDisagreement,
    Relation,
    Span,
)
from projects.models import Job, JobKind, JobStatus, Label, Membership, Project
from tests.conftest import ROOT, page_client_for

ROLES = {"manager": "manager", "reviewer": "reviewer", "annotator1": "annotator",
         "annotator2": "annotator", "annotator3": "annotator", "consumer": "consumer"}
ZWJ = "\u200d"


def _snapshot() -> dict[str, int]:
    return {"projects": Project.objects.count(), "labels": Label.objects.count(),
            "users": get_user_model().objects.count(),
            "memberships": Membership.objects.count(), "documents": Document.objects.count(),
            "annotations": Annotation.objects.count(), "spans": Span.objects.count(),
            "relations": Relation.objects.count(), "jobs": Job.objects.count(),
            "reports": AgreementReport.objects.count(),
            "scores": DocumentDisagreement.objects.count()}


@pytest.mark.django_db
def test_loading_twice_changes_nothing(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the agreement job runs
        call_command("load_demo", stdout=out)
    first = _snapshot()
    assert "Concord demo: http://127.0.0.1:8000" in out.getvalue()
    assert PASSWORD in out.getvalue()
    # In a test the job runs when the test's transaction would commit, after the output.
    assert re.search(r"Agreement report: job \d+ (queued|succeeded)", out.getvalue())
    assert Job.objects.get().status == JobStatus.SUCCEEDED

    user = get_user_model().objects.get(username="annotator1")
    user.set_password("changed")
    user.save()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)

    assert "Demo already loaded" in out.getvalue()
    assert "Agreement report" not in out.getvalue()  # the report exists: no second job
    assert _snapshot() == first
    assert first["projects"] == 1
    assert first["documents"] == len(DOCUMENTS) == 60
    assert first["reports"] == first["jobs"] == 1
    # The printed logins work again after a second run.
    assert get_user_model().objects.get(username="annotator1").check_password(PASSWORD)


@pytest.mark.django_db
def test_every_role_has_a_user_and_membership():
    result = load_demo()
    project = Project.objects.get(name=PROJECT_NAME, deleted_at__isnull=True)
    assert result.project == project
    assert project.tasks == ["ner", "relations", "sentiment"]
    assert project.overlap == 3
    assert project.sentiment_scale == "ordinal"
    members = dict(Membership.objects.filter(project=project)
                   .values_list("user__username", "role"))
    assert members == ROLES
    users = get_user_model().objects
    for name in [*ROLES, "admin"]:
        assert users.get(username=name).check_password(PASSWORD)
    assert users.get(username="manager").is_staff
    assert users.get(username="admin").is_superuser


@pytest.mark.django_db
def test_documents_reach_every_status_and_counts_are_stable():
    result = load_demo()
    statuses = Counter(Document.objects.values_list("status", flat=True))
    assert statuses["new"] > 0
    assert statuses["annotated"] > 0
    assert statuses["reviewed"] > 0
    assert result.counts == {"documents": 60, "new": statuses["new"],
                             "annotated": statuses["annotated"],
                             "reviewed": statuses["reviewed"], "annotations": 120, "gold": 6}
    by_annotator = Counter(Annotation.objects.filter(kind=AnnotationKind.ANNOTATION)
                           .values_list("annotator__username", flat=True))
    assert by_annotator == {"annotator1": 45, "annotator2": 40, "annotator3": 35}
    assert not Annotation.objects.exclude(status="submitted").exists()
    langs = Counter(d.meta["lang"] for d in Document.objects.all())
    assert langs == {"en": 30, "zh": 30}
    # Some new documents are partly labelled: fewer submissions than the overlap.
    partly = Document.objects.filter(status="new", annotations__isnull=False).distinct()
    assert partly.exists()


@pytest.mark.django_db
def test_every_span_is_inside_its_text_and_follows_the_rules():
    load_demo()
    spans = list(Span.objects.select_related("annotation__document", "label"))
    assert spans
    by_annotation: dict[int, list[Span]] = {}
    for span in spans:
        text = span.annotation.document.text
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start:span.end].strip() == text[span.start:span.end]
        by_annotation.setdefault(span.annotation_id, []).append(span)
    for group in by_annotation.values():  # the project does not allow overlapping spans
        group.sort(key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in pairwise(group))
    for rel in Relation.objects.select_related("head__label", "tail__label", "label"):
        heads, tails = RELATION_RULES[rel.label.name]
        assert rel.head.label.name in heads
        assert rel.tail.label.name in tails


def _gold_spans(external_id: str) -> list[tuple[int, int, str, str]]:
    doc = Document.objects.get(external_id=external_id)
    gold = doc.annotations.get(kind=AnnotationKind.GOLD)
    return [(s.start, s.end, s.label.name, doc.text[s.start:s.end])
            for s in gold.spans.select_related("label").order_by("start")]


@pytest.mark.django_db
def test_gold_spans_match_the_intended_strings_in_chinese_and_after_emoji():
    load_demo()
    truth = {d.external_id: d for d in DOCUMENTS}
    gold_ids = list(Document.objects.filter(status="reviewed")
                    .values_list("external_id", flat=True))
    assert len(gold_ids) == 6
    for ext in gold_ids:
        expected = [(e.start, e.end, e.label, e.text) for e in truth[ext].entities]
        assert _gold_spans(ext) == expected

    chinese = [ext for ext in gold_ids if truth[ext].lang == "zh"]
    assert chinese
    assert any("\u4e00" <= ch <= "\u9fff" for _, _, _, t in _gold_spans(chinese[0]) for ch in t)

    zwj_before_entity = [
        ext for ext in gold_ids
        if ZWJ in truth[ext].text and truth[ext].text.index(ZWJ) < truth[ext].entities[0].start
    ]
    assert zwj_before_entity, "a gold document should have a ZWJ emoji before an entity"
    doc = truth[zwj_before_entity[0]]
    assert _gold_spans(doc.external_id)[0][3] == doc.entities[0].text

    # Spot checks, independent of the corpus builder. "👩‍💻 " is 4 code points (5 in UTF-16).
    assert _gold_spans("en-04")[0] == (4, 13, "PER", "Lina Park")
    zh07 = Document.objects.get(external_id="zh-07").text
    per, org = zh07.index("陈静"), zh07.index("云帆软件")
    assert _gold_spans("zh-07") == [(per, per + 2, "PER", "陈静"),
                                    (org, org + 4, "ORG", "云帆软件")]


@pytest.mark.django_db
def test_a_crash_while_loading_leaves_nothing_half_made(monkeypatch):
    from annotation.demo import loader

    calls = {"n": 0}
    real_save = loader.annotation_save

    def failing_save(**kwargs):
        calls["n"] += 1
        if calls["n"] == 50:
            raise RuntimeError("simulated crash")
        return real_save(**kwargs)

    monkeypatch.setattr(loader, "annotation_save", failing_save)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_demo()
    assert not Project.objects.exists()
    assert not Document.objects.exists()
    assert not Annotation.objects.exists()

    monkeypatch.setattr(loader, "annotation_save", real_save)
    assert load_demo().counts["annotations"] == 120


def _load(capture) -> Project:
    with capture(execute=True):  # as outside a test: the job runs once the data is committed
        result = load_demo()
    assert result.agreement is not None
    job = Job.objects.get(pk=result.agreement.pk)
    assert (job.kind, job.status) == (JobKind.AGREEMENT, JobStatus.SUCCEEDED), job.message
    return result.project


def _page(client, name: str, project: Project, query: str = "") -> str:
    response = client.get(reverse(f"projects:{name}", kwargs={"project_id": project.pk})
                          + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_after_loading_the_dashboards_are_filled(
        django_capture_on_commit_callbacks):
    project = _load(django_capture_on_commit_callbacks)
    client = page_client_for(get_user_model().objects.get(username="manager"))

    agreement = _page(client, "agreement", project)
    assert 'id="no-report"' not in agreement
    report = AgreementReport.objects.get(project=project).report
    pairs = report["sentiment"]["cohen_kappa"]["pairs"]
    assert {(p["a"], p["b"]) for p in pairs} == {
        ("annotator1", "annotator2"), ("annotator1", "annotator3"),
        ("annotator2", "annotator3")}
    table = re.search(r'<table[^>]*id="kappa-pairs".*?</table>', agreement, re.S).group(0)
    rows = re.findall(r"<tr><td>(\w+) · (\w+)</td><td>([-\d.]+)</td>", table)
    assert len(rows) == 3
    for a, b, value in rows:  # the kappa figures shown are the report's, and real numbers
        pair = next(p for p in pairs if (p["a"], p["b"]) == (a, b))
        assert float(value) == pytest.approx(pair["value"], abs=0.006)
        assert -1 <= float(value) <= 1
    assert 'data-stat="sentiment_kappa"' in agreement

    balance = _page(client, "balance", project)
    assert 'id="no-report"' not in balance
    assert 'id="outdated"' not in balance
    table = re.search(r'<table[^>]*id="sentiment-distribution".*?</table>', balance,
                      re.S).group(0)
    assert re.findall(r'data-label="(\w+)"', table) == ["negative", "neutral", "positive"]
    shown = {name: int(n) for name, n in re.findall(
        r'data-label="(\w+)">\s*<td>\w+</td><td>(\d+)</td>', table)}
    assert sum(shown.values()) == 120  # one sentiment per submitted annotation
    assert 'data-value="zh"' in _page(client, "balance", project, "?field=lang")

    # The other dashboards need no report: progress is counted on the first visit, and the
    # gold checks page offers the reviewed documents as checks.
    progress = _page(client, "progress", project)
    for name in ("annotator1", "annotator2", "annotator3"):
        assert name in progress
    gold_checks = _page(client, "gold-checks", project)
    for external_id in ("en-01", "zh-02"):
        assert external_id in gold_checks


@pytest.mark.django_db
def test_after_loading_the_review_queue_is_ordered_by_disagreement(
        django_capture_on_commit_callbacks):
    project = _load(django_capture_on_commit_callbacks)
    client = page_client_for(get_user_model().objects.get(username="manager"))

    queue = _page(client, "review", project, "?sort=disagreement")
    assert "Disagreement scores come from the latest agreement report" in queue
    rows = re.findall(r'<tr data-document="(\d+)">.*?<td class="score">([^<]*)</td>', queue,
                      re.S)
    waiting = Document.objects.filter(project=project, status="annotated").count()
    assert waiting == 24
    assert len(rows) == waiting
    scores = [float(score) for _, score in rows]  # every document scored (a dash when not)
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]  # the annotators disagree on some more than others
    expected = list(DocumentDisagreement.objects
                    .filter(report__project=project, document__status="annotated")
                    .order_by("-score", "document_id").values_list("document_id", flat=True))
    assert [int(pk) for pk, _ in rows] == expected


# The Makefile: `make demo` installs the runtime dependencies only, `make test` the dev extra.


def _make(*args: str, venv: Path) -> list[str]:
    """The pip installs `make -n` would run for a virtualenv at `venv`."""
    out = subprocess.run(["make", "-n", "-C", str(ROOT), *args, f"VENV={venv}"],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "MAKEFLAGS": ""}).stdout
    return [line for line in out.splitlines() if "pip install" in line and " -e " in line]


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@needs_make
def test_make_demo_installs_the_runtime_only_and_make_test_the_dev_extra(tmp_path):
    venv = tmp_path / "fresh"
    demo = _make("demo", venv=venv)
    assert len(demo) == 1
    assert demo[0].endswith("-m pip install --quiet -e .")
    assert "dev" not in demo[0]
    for target in ("test", "lint", "bench"):
        installs = _make(target, venv=venv)
        assert len(installs) == 1
        assert installs[0].endswith('-e ".[dev]"')
    assert not venv.exists()  # a dry run


@needs_make
def test_the_install_stamps_keep_each_path_installing_once(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    os.utime(venv / "bin" / "python", (0, 0))  # older than pyproject.toml
    runtime, dev = venv / ".installed", venv / ".installed-dev"

    runtime.touch()  # after `make demo`
    assert not _make("demo", venv=venv)
    assert len(_make("test", venv=venv)) == 1  # the demo's install is not the dev extra's

    dev.touch()  # after `make test`, which touches both stamps
    assert not _make("demo", venv=venv)
    assert not _make("test", venv=venv)

    pyproject = (ROOT / "pyproject.toml").stat().st_mtime
    for stamp in (runtime, dev):  # pyproject.toml edited since
        os.utime(stamp, (pyproject - 10, pyproject - 10))
    assert len(_make("demo", venv=venv)) == 1
    assert len(_make("test", venv=venv)) == 1
