"""The demo loader: idempotent, every role, every status, offsets that hold."""

from collections import Counter
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotation.models import Annotation, AnnotationKind, Document, Relation, Span
from projects.demo.corpus import DOCUMENTS, RELATION_RULES
from projects.demo.loader import PASSWORD, PROJECT_NAME, load_demo
from projects.models import Label, Membership, Project

ROLES = {"manager": "manager", "reviewer": "reviewer", "annotator1": "annotator",
         "annotator2": "annotator", "annotator3": "annotator", "consumer": "consumer"}
ZWJ = "\u200d"


def _snapshot() -> dict[str, int]:
    return {"projects": Project.objects.count(), "labels": Label.objects.count(),
            "users": get_user_model().objects.count(),
            "memberships": Membership.objects.count(), "documents": Document.objects.count(),
            "annotations": Annotation.objects.count(), "spans": Span.objects.count(),
            "relations": Relation.objects.count()}


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = _snapshot()
    assert "Concord demo: http://127.0.0.1:8000" in out.getvalue()
    assert PASSWORD in out.getvalue()

    user = get_user_model().objects.get(username="annotator1")
    user.set_password("changed")
    user.save()
    out = StringIO()
    call_command("load_demo", stdout=out)

    assert "Demo already loaded" in out.getvalue()
    assert _snapshot() == first
    assert first["projects"] == 1
    assert first["documents"] == len(DOCUMENTS) == 60
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
    from projects.demo import loader

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
