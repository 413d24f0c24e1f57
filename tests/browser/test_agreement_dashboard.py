"""The agreement dashboard and the balance view in a real Chromium: a manager recomputes the
report and watches the progress bar finish, reads the charts, slices by a meta field."""

import random
from pathlib import Path

import pytest

from annotation.models import AgreementReport, Document
from annotation.services.store import annotation_save
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXT = "Alice joined 阿里巴巴 in 2019 🎉"
PER = {"start": 0, "end": 5, "label": "PER"}
ORG = {"start": 13, "end": 17, "label": "ORG"}


@pytest.fixture
def labelled(world):
    """40 documents from three sources, labelled by three annotators who mostly agree."""
    rng = random.Random(4)
    people = [UserFactory(username=f"ann-{c}") for c in "abc"]
    for i in range(40):
        doc = Document.objects.create(
            project=world.project, text=f"{TEXT} ({i})", content_hash=f"h{i}",
            external_id=f"web-{i}", meta={"source": ["news", "forum", "blog"][i % 3],
                                          "lang": "en"})
        truth = rng.choice(["positive", "negative"])
        for person in people:
            flip = rng.random() < 0.2
            sentiment = {"positive": "negative", "negative": "positive"}[truth] if flip else truth
            entities = [PER, ORG] if rng.random() < 0.8 else [PER]
            annotation_save(document=doc, annotator=person, status="submitted", version=0,
                            content={"entities": entities, "sentiment": sentiment})
        if i < 10:
            annotation_save(document=doc, annotator=None, kind="gold", status="submitted",
                            version=0, content={"entities": [PER, ORG], "sentiment": truth})
    return world


def _recompute_and_watch(page, project_id):
    page.goto(f"/projects/{project_id}/agreement/")
    assert page.locator("#no-report").is_visible()
    page.get_by_role("button", name="Recompute").click()
    page.locator('#recompute[data-status="succeeded"]').wait_for(timeout=60_000)
    bar = page.locator("#recompute progress")
    assert bar.get_attribute("value") == "1.000"
    page.locator("#show-new-report").click()
    page.locator("#headline").wait_for()


def test_manager_recomputes_then_reads_the_dashboard_and_the_balance(labelled, page):
    world = labelled
    pid = world.project.pk
    log_in(page, world.users["manager"].username)
    _recompute_and_watch(page, pid)
    report = AgreementReport.objects.get(project=world.project).report

    alpha = page.locator('[data-stat="sentiment_alpha"] .num').inner_text()
    assert alpha == f"{report['sentiment']['krippendorff_alpha']['nominal']:.3f}"
    assert "95% interval" in page.locator('[data-stat="sentiment_alpha"]').inner_text()
    for chart in ("#kappa-chart", "#f1-chart", "#confusion-chart", "#trend-chart"):
        assert page.locator(chart).is_visible(), chart
    # a heatmap cell shows its number on hover through its <title>
    cell = page.locator("#kappa-chart g.chart-cell").nth(1)
    assert cell.locator("title").text_content().startswith("ann-a × ann-b: ")
    assert page.locator("#disagreements tr[data-document]").count() == 20
    page.screenshot(path=str(ARTIFACTS / "agreement-dashboard.png"), full_page=True)

    page.locator("nav.tabs").get_by_role("link", name="Balance", exact=True).click()
    page.wait_for_url(f"**/projects/{pid}/agreement/balance/")
    assert page.locator("#entity-submitted-chart").is_visible()
    assert page.locator('#entity-distribution tr[data-label="PER"]').is_visible()
    page.select_option("#balance-field", "source")  # htmx swaps the body, pushes the URL
    page.locator("#slice-agreement").wait_for()
    page.wait_for_url("**field=source**")
    rows = page.locator('#slice-agreement tr[data-value]')
    assert sorted(rows.nth(i).get_attribute("data-value") for i in range(3)) == [
        "blog", "forum", "news"]
    assert page.locator("#slice-sentiment-submitted-chart").is_visible()
    page.screenshot(path=str(ARTIFACTS / "balance-by-source.png"), full_page=True)


@pytest.mark.worker
def test_the_progress_bar_follows_a_job_on_the_real_worker(labelled, page, celery_worker):
    """With a real Celery worker the POST answers while the job is queued; htmx polls the
    job until it succeeds."""
    log_in(page, labelled.users["manager"].username)
    _recompute_and_watch(page, labelled.project.pk)
    assert AgreementReport.objects.filter(project=labelled.project).count() == 1
