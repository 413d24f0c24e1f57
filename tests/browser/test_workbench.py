"""The workbench in a real Chromium, as an annotator: entities, relations, sentiment,
drafts, submit, conflicts. Offsets are checked through the API against Python's str."""

from pathlib import Path

import pytest

from annotation.models import Annotation, Assignment, AssignmentStatus
from tests.browser.conftest import log_in
from tests.conftest import api_client_for
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

ENGLISH = "Alice Smith joined Acme Corp in Berlin last spring."
CHINESE = "张伟在阿里巴巴工作，他住在杭州。"
EMOJI = "👩‍👩‍👧‍👦 and 🇯🇵 then 👍🏽 Alice met Acme."


@pytest.fixture
def annotator(world):
    return world.users["annotator"]


def open_document(page, world, text):
    """Make `text` the only open document and open it in the workbench."""
    world.document.delete()
    DocumentFactory(project=world.project, text=text)
    page.goto(f"/projects/{world.project.pk}/label/")
    page.wait_for_selector("body[data-workbench=ready]")


def select_text(page, start: int, end: int) -> None:
    """Drag the mouse over code points [start, end) of the text, as a user would."""
    box = page.evaluate("""([start, end]) => {
        const data = document.getElementById('workbench-data').textContent;
        const text = JSON.parse(data).document.text;
        const u16 = (cp) => [...text].slice(0, cp).join('').length;
        const at = (off) => {
            const segs = [...document.querySelectorAll('#text .seg')];
            const seg = segs.findLast((s) => +s.dataset.a <= off);
            const range = document.createRange();
            const i = off - +seg.dataset.a;
            range.setStart(seg.firstChild, i);
            range.setEnd(seg.firstChild, i + 1);
            return range.getBoundingClientRect();
        };
        const first = at(u16(start)), last = at(u16(end) - 1);
        return {x1: first.left + 1, y1: first.top + first.height / 2,
                x2: last.right - 1, y2: last.top + last.height / 2};
    }""", [start, end])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def wait_saved(page) -> None:
    page.wait_for_selector("#save-state[data-state=saved]")


def stored(world, user) -> dict:
    document = Assignment.objects.get(annotator=user, project=world.project).document
    url = f"/api/v1/projects/{world.project.pk}/documents/{document.pk}/annotation/"
    response = api_client_for(user).get(url)
    assert response.status_code == 200
    return response.json()


def label_word(page, text: str, word: str, key: str) -> None:
    start = text.index(word)
    select_text(page, start, start + len(word))
    page.keyboard.press(key)


@pytest.mark.parametrize(("text", "words"), [
    (ENGLISH, [("Alice Smith", "p"), ("Acme Corp", "o")]),
    (CHINESE, [("张伟", "p"), ("阿里巴巴", "o")]),
    (EMOJI, [("Alice", "p"), ("Acme", "o")]),
])
def test_entities_get_code_point_offsets(world, page, annotator, text, words):
    log_in(page, annotator.username)
    open_document(page, world, text)
    for word, key in words:
        label_word(page, text, word, key)
    wait_saved(page)
    entities = stored(world, annotator)["entities"]
    assert [(e["text"], e["label"]) for e in entities] == [
        (w, {"p": "PER", "o": "ORG"}[k]) for w, k in words]
    for entity in entities:
        assert text[entity["start"]:entity["end"]] == entity["text"]


def test_relation_sentiment_reload_and_submit(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    DocumentFactory(project=world.project, text="Second document for after the submit.")
    label_word(page, ENGLISH, "Alice Smith", "p")
    label_word(page, ENGLISH, "Acme Corp", "o")
    page.locator("#text .tag", has_text="PER").click()
    page.get_by_role("button", name="works_for").click()
    page.locator("#text .tag", has_text="ORG").click()
    page.locator("#arrows g.rel").wait_for()
    page.get_by_role("button", name="positive").click()
    wait_saved(page)
    page.reload()
    page.wait_for_selector("body[data-workbench=ready]")
    assert page.locator("#text .tag").count() == 2
    assert page.locator("#arrows g.rel text").text_content() == "works_for"
    assert page.get_by_role("button", name="positive").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(ARTIFACTS / "workbench.png"), full_page=True)
    first = Assignment.objects.get(annotator=annotator, status=AssignmentStatus.ACTIVE)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: f"/documents/{first.document_id}/" not in url
                      and "/label/" in url)
    page.wait_for_selector("body[data-workbench=ready]")
    assert "Second document" in page.locator("#text").inner_text()
    annotation = Annotation.objects.get(document=first.document, annotator=annotator)
    assert annotation.status == "submitted"
    assert annotation.relations.count() == 1
    assert annotation.seconds_spent > 0


def test_disallowed_relation_is_refused(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    label_word(page, ENGLISH, "Alice Smith", "p")
    label_word(page, ENGLISH, "Acme Corp", "o")
    page.locator("#text .tag", has_text="ORG").click()  # works_for wants PER at its head
    page.get_by_role("button", name="works_for").click()
    page.locator("#text .tag", has_text="PER").click()
    notice = page.locator("#notice")
    notice.wait_for()
    assert "does not allow a ORG entity at its head" in notice.inner_text()
    assert page.locator("#arrows g.rel").count() == 0
    wait_saved(page)
    assert stored(world, annotator)["relations"] == []
