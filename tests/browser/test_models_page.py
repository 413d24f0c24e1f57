"""The Models page in a real Chromium: a manager trains the project's models (tasks run
in-process, as the test settings have it) and sees the new versions with their metrics."""

from pathlib import Path

import pytest

from annotation.models import AgentVersion
from annotation.services.store import annotation_save
from projects.models import Job
from tests.browser.conftest import log_in
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PEOPLE = ["Alice", "Bob", "Carol", "Dave"]
ORGS = ["Acme", "Globex", "Initech"]


@pytest.fixture
def gold(world, media):
    """Twelve reviewed documents: people join organisations, happily or not."""
    world.project.activation_f1 = 0.3
    world.project.save(update_fields=["activation_f1"])
    for i in range(12):
        person, org = PEOPLE[i % len(PEOPLE)], ORGS[i % len(ORGS)]
        mood, sentiment = ("happily", "positive") if i % 2 else ("sadly", "negative")
        text = f"{person} {mood} joined {org} in {2000 + i}."
        start = len(person) + len(mood) + len(" joined ") + 1
        doc = DocumentFactory(project=world.project, text=text)
        annotation_save(document=doc, annotator=None, kind="gold", status="submitted",
                        version=0, content={
                            "entities": [{"start": 0, "end": len(person), "label": "PER"},
                                         {"start": start, "end": start + len(org),
                                          "label": "ORG"}],
                            "sentiment": sentiment})
    return world


def test_a_manager_trains_and_sees_the_versions_and_metrics(gold, page):
    world = gold
    log_in(page, world.users["manager"].username)
    page.goto(f"/projects/{world.project.pk}/")
    page.locator("nav.tabs").get_by_role("link", name="Models", exact=True).click()
    page.wait_for_url(f"**/projects/{world.project.pk}/models/")
    assert page.locator("#no-training").is_visible()
    dictionary = page.locator('section[data-agent="dictionary"]')
    assert dictionary.get_attribute("data-version") == ""
    assert "Not trained yet." in dictionary.inner_text()

    page.get_by_role("button", name="Train all models").click()
    page.locator('section[data-agent="dictionary"][data-version="1"]').wait_for(timeout=60_000)
    job = Job.objects.get(project=world.project, kind="train")
    run = page.locator(f"#run-{job.pk}")
    run.wait_for()
    assert run.get_attribute("data-status") == "succeeded"
    assert "Training started." in page.locator("#models-body .messages").inner_text()

    version = AgentVersion.objects.get(agent__project=world.project, agent__name="dictionary")
    assert version.passed
    f1 = dictionary.locator('[data-stat="f1"] .num').inner_text()
    assert f1 == f"{version.metrics['f1']:.3f}"
    assert "12 gold documents" in dictionary.inner_text()
    assert dictionary.locator('table.per-label tr[data-label="PER"]').is_visible()
    assert dictionary.locator('table.per-label tr[data-label="ORG"]').is_visible()
    # the run's table: each agent's version and F1, or why it was not switched on
    assert run.locator('tr[data-agent="dictionary"]').inner_text().split("\t")[1] == "1"
    relation = run.locator('tr[data-agent="relation"] .not-activated')
    assert "relation" in relation.inner_text().lower()
    refused = page.locator('section[data-agent="relation"] .refused .reason')
    assert refused.inner_text() == relation.inner_text()
    page.screenshot(path=str(ARTIFACTS / "models-page.png"), full_page=True)

    # switch the dictionary off, then on again: the page follows
    dictionary.get_by_role("button", name="Switch off").click()
    page.locator('section[data-agent="dictionary"][data-active="off"]').wait_for()
    assert "dictionary is off." in page.locator("#models-body .messages").inner_text()
    page.locator('section[data-agent="dictionary"]').get_by_role(
        "button", name="Switch on").click()
    page.locator('section[data-agent="dictionary"][data-active="on"]').wait_for()
