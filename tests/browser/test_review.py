"""Review in a real Chromium: the queue, then adjudicating the most-disagreed document into
gold from two annotators' lanes; a concurrent save shows the reload message."""

from pathlib import Path

import pytest

from annotation.models import DocumentStatus, GoldRevision
from annotation.selectors.review import review_queue
from annotation.services.agreement.jobs import agreement_start
from annotation.services.annotations import annotation_write
from projects import services
from tests.browser.conftest import log_in
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXT = "Alice Smith joined Acme Corp in Berlin last spring."
A = {"entities": [{"id": "T1", "start": 0, "end": 11, "label": "PER"},
                  {"id": "T2", "start": 19, "end": 23, "label": "ORG"}],
     "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}], "sentiment": "positive"}
B = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                  {"id": "T2", "start": 19, "end": 28, "label": "ORG"}],
     "relations": [], "sentiment": "positive"}
CALM = {"entities": [], "relations": [], "sentiment": "negative"}


def submit(project, user, document, content):
    AssignmentFactory(document=document, annotator=user)
    annotation_write(project=project, document_id=document.pk, user=user, content=content,
                     version=0, status="submitted", seconds_spent=3)


@pytest.fixture
def disputed(world):
    """Two documents submitted by two annotators: one they agree on, one they don't; the
    agreement report computed from them (for real) scores the documents."""
    project = world.project
    world.document.delete()
    people = [UserFactory(username="ann-a"), UserFactory(username="ann-b")]
    for person in people:
        services.member_add(project=project, username=person.username, role="annotator")
    calm = DocumentFactory(project=project, text="Nothing happened in Berlin today.")
    hot = DocumentFactory(project=project, text=TEXT)
    for person in people:
        submit(project, person, calm, CALM)
    submit(project, people[0], hot, A)
    submit(project, people[1], hot, B)
    agreement_start(project=project, by=world.users["manager"])
    return hot, calm


def lane_item(page, lane: int, text: str, kind: str = "entity"):
    return page.locator(f'.annotator-lane[data-lane="{lane}"] li.item[data-kind="{kind}"]',
                        has_text=text)


def test_reviewer_adjudicates_the_most_disagreed_document(world, page, disputed):
    hot, calm = disputed
    entries = review_queue(project=world.project).entries
    assert [e.document.pk for e in entries] == [hot.pk, calm.pk]
    assert entries[0].score > (entries[1].score or 0)
    reviewer = world.users["reviewer"]
    log_in(page, reviewer.username)
    page.goto(f"/projects/{world.project.pk}/")
    page.get_by_role("link", name="Review", exact=True).first.click()
    page.wait_for_selector("#queue")
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)
    page.locator("#queue tbody tr").first.get_by_role("link", name="Review").click()
    page.wait_for_selector("body[data-review=ready]")
    assert f"/documents/{hot.pk}/review/" in page.url
    # Without gold, the gold lane starts with what both share: the sentiment only.
    assert page.locator("#text .tag").count() == 0
    assert page.get_by_role("button", name="positive").get_attribute("aria-pressed") == "true"
    # Disagreements are marked: no entity is shared by both annotators.
    assert page.locator(".annotator-lane li.item.differ").count() == 5  # 4 entities, 1 relation
    assert page.locator(".annotator-lane li.item.agree").count() == 2  # the sentiment, twice
    lane_item(page, 0, "Alice Smith").get_by_role("button", name="Accept").click()
    lane_item(page, 1, "Acme Corp").get_by_role("button", name="Accept").click()
    assert page.locator("#text .tag").count() == 2
    # ann-a's relation points at "Acme", which overlaps the accepted "Acme Corp": draw it anew.
    page.locator("#text .tag", has_text="PER").click()
    page.get_by_role("button", name="works_for").click()
    page.locator("#text .tag", has_text="ORG").click()
    page.locator("#arrows g.rel").wait_for()
    relation = lane_item(page, 0, "works_for", "relation")
    assert "in-gold" not in relation.get_attribute("class").split()
    page.click("#save-gold")
    page.wait_for_selector("#save-state[data-state=saved]")
    page.locator("#next-document").wait_for()
    assert "version 1" in page.locator("#notice").inner_text()
    assert page.locator("#history li").first.get_attribute("data-version") == "1"
    page.screenshot(path=str(ARTIFACTS / "review-adjudication.png"), full_page=True)
    gold = api_client_for(reviewer).get(
        f"/api/v1/projects/{world.project.pk}/documents/{hot.pk}/gold/").json()
    assert [(e["text"], e["label"]) for e in gold["entities"]] == [("Alice Smith", "PER"),
                                                                  ("Acme Corp", "ORG")]
    assert gold["relations"] == [{"head": "T1", "tail": "T2", "label": "works_for"}]
    assert (gold["sentiment"], gold["version"], gold["updated_by"]) == ("positive", 1,
                                                                       reviewer.username)
    hot.refresh_from_db()
    assert hot.status == DocumentStatus.REVIEWED
    assert GoldRevision.objects.get(document=hot).by == reviewer
    # The next document of the queue is offered.
    page.click("#next-document")
    page.wait_for_selector("body[data-review=ready]")
    assert f"/documents/{calm.pk}/review/" in page.url


def test_a_concurrent_save_shows_a_reload_message(world, page, disputed):
    hot, _calm = disputed
    reviewer = world.users["reviewer"]
    log_in(page, reviewer.username)
    page.goto(f"/projects/{world.project.pk}/documents/{hot.pk}/review/")
    page.wait_for_selector("body[data-review=ready]")
    other = api_client_for(world.users["manager"]).put(
        f"/api/v1/projects/{world.project.pk}/documents/{hot.pk}/gold/",
        {**B, "version": 0}, format="json")
    assert other.status_code == 200
    page.locator(".accept-lane").first.click()  # take ann-a's whole annotation
    assert page.locator("#text .tag").count() == 2
    page.console_errors.append("expected")  # the browser logs the 409 response
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#save-state[data-state=conflict]")
    assert "Reload to see their version" in page.locator("#notice").inner_text()
    assert page.locator("#reload").is_visible()
    page.console_errors.clear()
    gold = api_client_for(reviewer).get(
        f"/api/v1/projects/{world.project.pk}/documents/{hot.pk}/gold/").json()
    assert (gold["version"], gold["updated_by"]) == (1, "mia-manager")
