"""The progress dashboard and the gold-checks page in a real Chromium: a manager marks a
check, reads the figures, the chart and the per-annotator table (screenshot in
test-artifacts/)."""

import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from annotation.models import AgreementReport, Annotation, Document
from annotation.services.annotations import annotation_write
from annotation.services.gold import gold_save
from annotation.services.gold_checks import gold_checks_mark
from projects import services
from tests.browser.conftest import log_in
from tests.factories import AssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXT = "Alice joined 阿里巴巴 in 2019 🎉"
PER = {"id": "T1", "start": 0, "end": 5, "label": "PER"}
ORG = {"id": "T2", "start": 13, "end": 17, "label": "ORG"}


@pytest.fixture
def busy(world):
    """Three annotators who labelled 60 documents over two weeks; two checks with gold."""
    rng = random.Random(3)
    project = world.project
    people = [UserFactory(username=f"ann-{c}") for c in "abc"]
    for person in people:
        services.member_add(project=project, username=person.username, role="annotator")
    checks = []
    for i in range(3):
        doc = Document.objects.create(project=project, text=f"{TEXT} [{i}]",
                                      content_hash=f"c{i}", external_id=f"check-{i}")
        gold_save(document=doc, content={"entities": [PER, ORG], "relations": [],
                                         "sentiment": "positive"},
                  by=world.users["reviewer"], version=0)
        checks.append(doc)
    gold_checks_mark(project=project, document_ids=[d.pk for d in checks[:2]])
    now = timezone.now()
    for i in range(60):
        doc = Document.objects.create(project=project, text=f"{TEXT} ({i})",
                                      content_hash=f"h{i}", external_id=f"busy-{i}")
        for person in rng.sample(people, 2):
            AssignmentFactory(document=doc, annotator=person)
            entities = [PER, ORG] if rng.random() < 0.8 else [PER]
            annotation_write(project=project, document_id=doc.pk, user=person,
                             content={"entities": entities, "relations": [],
                                      "sentiment": rng.choice(["positive", "negative"])},
                             version=0, status="submitted", seconds_spent=rng.uniform(8, 90))
    for n, annotation in enumerate(Annotation.objects.filter(kind="annotation")):
        Annotation.objects.filter(pk=annotation.pk).update(
            submitted_at=now - timedelta(days=n % 14, hours=n % 5))
    for person, entities in zip(people[:2], ([PER, ORG], [ORG]), strict=True):
        AssignmentFactory(document=checks[0], annotator=person)
        annotation_write(project=project, document_id=checks[0].pk, user=person,
                         content={"entities": entities, "relations": [],
                                  "sentiment": "positive"},
                         version=0, status="submitted", seconds_spent=30)
    AgreementReport.objects.create(project=project, computed_at=now, report={
        "entities": {"f1_exact": {"pairs": [{"a": "ann-a", "b": "ann-b", "value": 0.81},
                                            {"a": "ann-a", "b": "ann-c", "value": 0.77},
                                            {"a": "ann-b", "b": "ann-c", "value": 0.69}]}},
        "sentiment": {"cohen_kappa": {"pairs": [{"a": "ann-a", "b": "ann-b", "value": 0.4}]}}})
    return checks


def test_a_manager_marks_a_check_and_reads_the_progress_dashboard(page, world, busy):
    project_id = world.project.pk
    log_in(page, world.users["manager"].username)
    page.goto(f"/projects/{project_id}/gold-checks/")
    assert page.locator("#rate-off").is_visible()  # the rate is 0 in this project
    assert page.locator("#checks tbody tr").count() == 2
    page.locator(f"#candidate-{busy[2].pk}").check()
    page.get_by_role("button", name="Use the selected as checks").click()
    page.wait_for_url(f"**/projects/{project_id}/gold-checks/")
    assert page.locator("#checks tbody tr").count() == 3
    assert "1 document changed." in page.locator(".messages").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gold-checks.png"), full_page=True)

    page.get_by_role("link", name="Progress").click()
    page.wait_for_url(f"**/projects/{project_id}/progress/")
    assert page.locator("#count-total").inner_text() == "64"
    assert page.locator("#count-checks").inner_text() == "3"
    chart = page.locator("#per-day-chart")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("rect").count() == 30
    per_day = page.locator("#per-day tbody tr")
    assert per_day.count() == 30
    total = sum(int(per_day.nth(i).locator("td").nth(1).inner_text()) for i in range(30))
    assert total == 122  # 120 ordinary submissions and two answers to a check
    rows = page.locator("#annotator-table tbody tr")
    names = [rows.nth(i).locator("th").text_content() for i in range(rows.count())]
    assert names == ["ann-a", "ann-b", "ann-c", "annotator-user"]
    ann_a = rows.nth(0).locator("td")
    # Submitted, skipped, median; agreement: entities (mean of 0.81 and 0.77), relations
    # (none in the report), sentiment κ; then checks: one answered, entity F1 1.
    assert ann_a.nth(3).inner_text() == "0.790"
    assert ann_a.nth(4).inner_text() == "–"
    assert ann_a.nth(5).inner_text() == "0.400"
    assert ann_a.nth(6).inner_text() == "1"
    assert ann_a.nth(7).inner_text() == "1.000"
    page.screenshot(path=str(ARTIFACTS / "progress-dashboard.png"), full_page=True)
