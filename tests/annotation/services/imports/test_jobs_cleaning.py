"""Imports end to end, the cleaning steps: NFC normalisation, PII masked or flagged, and
labels the project does not have."""


from annotation.models import Annotation, Document
from annotation.selectors import annotation_content
from projects.models import Label
from tests.annotation.services.imports.test_jobs import jsonl


def test_nfc_normalization_remaps_offsets(world, imports):
    text = "Cafe\u0301 owner Alice"
    start = text.index("Alice")
    job = imports(jsonl({"text": text, "gold": {"entities": [
        {"start": start, "end": start + 5, "label": "PER"}]}}))
    assert job.status == "succeeded", job.errors
    doc = Document.objects.get(text="Café owner Alice")
    gold = Annotation.objects.get(document=doc, kind="gold")
    assert annotation_content(annotation=gold, multi_label=False)["entities"][0]["text"] \
        == "Alice"


def test_pii_mask_replaces_and_remaps(world, imports):
    world.project.pii_policy = "mask"
    world.project.save()
    text = "Mail alice@example.com or call +44 20 7946 0958, then Bob signs."
    start = text.index("Bob")
    job = imports(jsonl({"text": text, "gold": {"entities": [
        {"start": start, "end": start + 3, "label": "PER"}]}}))
    assert job.status == "succeeded", job.errors
    assert job.result["pii"] == {"EMAIL": 1, "PHONE": 1}
    doc = Document.objects.get(project=world.project, external_id="")
    assert "alice@example.com" not in doc.text
    assert "[EMAIL]" in doc.text
    gold = Annotation.objects.get(document=doc, kind="gold")
    assert annotation_content(annotation=gold, multi_label=False)["entities"][0]["text"] == "Bob"


def test_pii_flag_records_hits(world, imports):
    world.project.pii_policy = "flag"
    world.project.save()
    job = imports(jsonl({"text": "联系电话13812345678，谢谢"}))
    assert job.result["pii"] == {"PHONE": 1}
    doc = Document.objects.get(text="联系电话13812345678，谢谢")
    assert list(doc.pii) == ["PHONE"]


def test_unknown_labels_are_reported_or_created(world, imports):
    rec = {"text": "Paris is big", "gold": {"entities": [{"start": 0, "end": 5,
                                                          "label": "LOC"}]}}
    refused = imports(jsonl(rec))
    assert refused.status == "failed"
    assert "entity:LOC" in refused.result["unknown_labels"]
    created = imports(jsonl(rec), create_labels="true")
    assert created.status == "succeeded", created.errors
    assert created.result["labels_created"] == ["entity:LOC"]
    assert Label.objects.filter(project=world.project, kind="entity", name="LOC").exists()
