"""Skip in a real Chromium (issue 14, items 5 and 6): it asks first when there are labels,
by keyboard; the reason and the draft are kept; a manager sees the reason and returns the
document, which comes back with the draft. Also: the overlap message names the span's text,
and a notice does not move the text."""

import time

import pytest

from annotation.models import Annotation, Assignment, AssignmentStatus
from tests.browser.conftest import log_in
from tests.browser.test_workbench import (
    ARTIFACTS,
    ENGLISH,
    label_word,
    open_document,
    wait_saved,
)
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def annotator(world):
    return world.users["annotator"]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def slow(route) -> None:
    time.sleep(0.5)
    route.continue_()


def test_skip_with_labels_asks_escape_cancels_and_a_keyboard_confirm_keeps_the_draft(
        world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    document = Assignment.objects.get(annotator=annotator).document
    label_word(page, ENGLISH, "Alice Smith", "p")
    wait_saved(page)
    page.locator("#skip").focus()
    page.keyboard.press("Enter")
    page.locator("#skip-dialog").wait_for()
    assert page.locator("#skip-kept").is_visible()  # it says the labels are kept
    assert focused(page) == "skip-reason"
    page.keyboard.press("Escape")
    page.locator("#skip-dialog").wait_for(state="hidden")
    assert focused(page) == "skip"  # focus goes back to the Skip button
    assert page.locator("#text .tag").count() == 1
    assert Assignment.objects.get(annotator=annotator).status == AssignmentStatus.ACTIVE
    # A second label, not yet saved when the skip is confirmed: keyboard only. Saves are
    # slowed down, so a skip that did not wait for the save would overtake it.
    page.route("**/annotation/", slow)
    label_word(page, ENGLISH, "Acme Corp", "o")
    page.locator("#skip").focus()
    page.keyboard.press("Enter")
    page.locator("#skip-dialog").wait_for()
    page.keyboard.type("Two people in one name")
    page.screenshot(path=str(ARTIFACTS / "workbench-skip.png"))
    page.keyboard.press("Tab")
    assert focused(page) == "skip-cancel"
    page.keyboard.press("Tab")
    assert focused(page) == "skip-confirm"
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/documents/" not in url)  # none left: the done page
    skip = Assignment.objects.get(annotator=annotator, document=document)
    assert (skip.status, skip.skip_reason) == (AssignmentStatus.SKIPPED,
                                               "Two people in one name")
    draft = Annotation.objects.get(document=document, annotator=annotator)
    assert draft.status == "draft"
    assert sorted(ENGLISH[s.start:s.end] for s in draft.spans.all()) == [
        "Acme Corp", "Alice Smith"]


def test_an_empty_document_is_skipped_with_enter(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    page.locator("#skip").click()
    page.locator("#skip-dialog").wait_for()
    assert not page.locator("#skip-kept").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/documents/" not in url)
    skip = Assignment.objects.get(annotator=annotator)
    assert (skip.status, skip.skip_reason) == (AssignmentStatus.SKIPPED, "")


def test_the_manager_sees_the_reason_and_the_document_comes_back(
        world, page, annotator, browser, live_server):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    other = DocumentFactory(project=world.project, text="Another document, for after the skip.")
    label_word(page, ENGLISH, "Alice Smith", "p")
    page.locator("#skip").click()
    page.locator("#skip-reason").fill("Unsure: is Acme Corp an ORG here?")
    first = Assignment.objects.get(annotator=annotator).document_id
    page.locator("#skip-confirm").click()
    page.wait_for_url(lambda url: f"/documents/{first}/" not in url and "/documents/" in url)
    page.wait_for_selector("body[data-workbench=ready]")
    assert "Another document" in page.locator("#text").inner_text()
    skipped = Assignment.objects.get(annotator=annotator, status=AssignmentStatus.SKIPPED)
    assert skipped.document_id == first

    context = browser.new_context(base_url=live_server.url, locale="en-US")
    manager = context.new_page()
    log_in(manager, world.users["manager"].username)
    manager.goto(f"/projects/{world.project.pk}/documents/")
    manager.locator("#filter-skipped").click()
    # The filtered table: skipped documents only.
    manager.locator(f"tr[data-document='{other.pk}']").wait_for(state="detached")
    assert manager.locator("#document-table tbody tr").count() == 1
    row = manager.locator(f"tr[data-document='{skipped.document_id}']")
    assert "Unsure: is Acme Corp an ORG here?" in row.inner_text()
    assert annotator.username in row.inner_text()
    manager.screenshot(path=str(ARTIFACTS / "documents-skipped.png"), full_page=True)
    row.get_by_role("button", name=f"Return {skipped.document} to the queue").click()
    manager.locator(".messages").wait_for()
    assert "1 document returned to the queue." in manager.locator(".messages").inner_text()
    assert "No documents." in manager.locator("#document-table").inner_text()
    context.close()

    # The annotator submits the other document; the skipped one comes back, draft and all.
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/documents/{skipped.document_id}/label/")
    page.wait_for_selector("body[data-workbench=ready]")
    assert page.locator("#text .tag", has_text="PER").count() == 1


def test_the_overlap_message_names_the_text(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    label_word(page, ENGLISH, "Alice Smith", "p")
    label_word(page, ENGLISH, "Smith joined", "o")
    notice = page.locator("#notice")
    notice.wait_for()
    assert "It overlaps PER “Alice Smith”" in notice.inner_text()


def test_a_notice_does_not_move_the_text(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    top = page.evaluate("document.getElementById('text').getBoundingClientRect().top")
    page.keyboard.press("p")  # nothing selected: PER is armed, an info notice says so
    page.locator("#notice").wait_for()
    assert page.evaluate("document.getElementById('text').getBoundingClientRect().top") == top
    page.keyboard.press("Escape")  # disarmed: the selections below wait for their keys
    page.screenshot(path=str(ARTIFACTS / "workbench-notice.png"))
    label_word(page, ENGLISH, "Alice Smith", "p")
    label_word(page, ENGLISH, "Smith joined", "o")  # an error notice
    page.locator("#notice", has_text="overlaps").wait_for()
    assert page.evaluate("document.getElementById('text').getBoundingClientRect().top") == top
    page.keyboard.press("Escape")  # clears it
    page.wait_for_selector("#notice", state="hidden")
    assert page.evaluate("document.getElementById('text').getBoundingClientRect().top") == top
