"""Long documents in the workbench, in Chromium: a text past render.js's LONG is drawn as it
comes into view, edits draw again only the blocks they touch, and labels far down are
reached by the keyboard. (Speed is measured by bench/, not here.)"""

import re

import pytest

from annotation.models import Assignment
from annotation.services.store import annotation_save
from tests.browser.conftest import log_in
from tests.browser.test_workbench import stored, wait_saved
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Alice met Bob in Berlin and they talked about Acme for a while. "
LONG = 200_000  # static/js/workbench/render.js


@pytest.fixture
def annotator(world):
    return world.users["annotator"]


def long_document(world, annotator, chars, entities_every=1):
    paragraph = SENTENCE * 12 + "\n"
    text = (paragraph * (chars // len(paragraph) + 1))[:chars]
    world.document.delete()
    doc = DocumentFactory(project=world.project, text=text)
    Assignment.objects.create(project=world.project, document=doc, annotator=annotator,
                              expires_at="2099-01-01T00:00:00Z")
    found = [m for i, m in enumerate(re.finditer("Alice", text)) if i % entities_every == 0]
    annotation_save(document=doc, annotator=annotator, content={"entities": [
        {"id": f"T{n}", "start": m.start(), "end": m.end(), "label": "PER"}
        for n, m in enumerate(found, start=1)], "relations": [], "sentiment": None})
    return doc, text, len(found)


def open_long(page, world, doc):
    page.goto(f"/projects/{world.project.pk}/documents/{doc.pk}/label/")
    page.wait_for_selector("body[data-workbench=ready]", timeout=60_000)


def test_a_long_text_is_drawn_as_it_comes_into_view(world, page, annotator):
    doc, text, count = long_document(world, annotator, LONG + 50_000, entities_every=4)
    log_in(page, annotator.username)
    open_long(page, world, doc)
    assert page.locator("#text.long-text").count() == 1
    shown = page.evaluate("""() => [...document.querySelectorAll('#text .blk')].map((b) =>
        [...b.childNodes].filter((n) => !n.classList?.contains('tag-at'))
            .map((n) => n.textContent).join('')).join('')""")
    assert shown == text  # every character, drawn or not yet
    drawn = page.locator("#text .tag").count()
    assert 0 < drawn < count  # only near the view
    page.locator("#text-wrap").evaluate("(w) => { w.scrollTop = w.scrollHeight; }")
    page.wait_for_function("(n) => document.querySelectorAll('#text .tag').length > n", arg=drawn)
    last = page.locator("#text .para").last
    last.scroll_into_view_if_needed()
    page.wait_for_function("() => { const p = [...document.querySelectorAll('#text .para')].pop();"
                           " return p.querySelector('.tag') !== null; }")


def test_far_down_labels_are_reached_and_made_by_the_keyboard(world, page, annotator):
    doc, _text, count = long_document(world, annotator, LONG + 20_000, entities_every=50)
    log_in(page, annotator.username)
    open_long(page, world, doc)
    keys = page.keyboard
    keys.press("Shift+Tab")  # the last entity, in a paragraph not drawn yet
    page.wait_for_function("() => document.querySelector('#text .seg.selected') !== null")
    assert page.locator("#text .seg.selected").inner_text() == "Alice"
    keys.press("Delete")
    keys.press("ArrowRight")  # from where it was: the word after it
    keys.press("p")
    wait_saved(page)
    saved = stored(world, annotator)["entities"]
    assert len(saved) == count
    assert saved[-1]["text"] == "met"


def test_an_edit_draws_again_only_the_block_it_touches(world, page, annotator):
    doc, _text, _count = long_document(world, annotator, 20_000, entities_every=3)
    log_in(page, annotator.username)
    open_long(page, world, doc)
    page.evaluate("""() => { for (const b of document.querySelectorAll('#text .blk'))
        for (const n of b.children) n.__kept = true; }""")
    page.keyboard.press("Tab")  # the first entity
    page.keyboard.press("o")  # relabelled: its block is drawn again, no other
    page.wait_for_function("() => document.querySelector('#text .tag').textContent === 'ORG'")
    fresh = page.evaluate("""() => [...document.querySelectorAll('#text .blk')].filter(
        (b) => [...b.children].some((n) => !n.__kept)).map((b) => +b.dataset.b)""")
    assert fresh == [0]
    wait_saved(page)
