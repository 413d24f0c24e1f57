"""The workbench driven by the keyboard alone, word snapping, the armed label, the annotation
list, and a text that stays where it is while labels come and go; in Chromium."""

import pytest
from playwright.sync_api import expect

from annotation.models import Annotation
from tests.browser.conftest import log_in
from tests.browser.test_workbench import (
    ARABIC,
    ENGLISH,
    open_document,
    select_text,
    stored,
    wait_saved,
)
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOUSE_SPY = """() => {
    window.mouseEvents = [];
    for (const type of ['mousedown', 'mouseup', 'mousemove', 'pointerdown', 'pointerup',
                        'pointermove', 'dblclick', 'contextmenu', 'wheel']) {
        document.addEventListener(type, (e) => window.mouseEvents.push(type), true);
    }
}"""


@pytest.fixture
def annotator(world):
    from projects import services

    services.label_update(label=world.labels["works_for"], shortcut="w")
    services.label_update(label=world.labels["positive"], shortcut="1")
    return world.users["annotator"]


def cursor(page) -> str | None:
    return page.evaluate("document.querySelector('#text').dataset.cursor ?? null")


def test_a_whole_document_with_the_keyboard_only(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)  # "Alice Smith joined Acme Corp in Berlin last spring."
    DocumentFactory(project=world.project, text="The next one.")
    page.evaluate(MOUSE_SPY)
    keys = page.keyboard
    keys.press("ArrowRight")  # the cursor on the first word
    assert cursor(page) == "0:5"
    keys.press("Shift+ArrowRight")  # and the next
    assert cursor(page) == "0:11"
    keys.press("p")
    for _ in range(2):  # "joined", then "Acme"
        keys.press("ArrowRight")
    keys.press("Shift+ArrowRight")
    keys.press("o")
    assert page.locator("#text .tag").count() == 2
    keys.press("Shift+Tab")  # from ORG back to PER
    keys.press("w")  # works_for (its key), from the head
    keys.press("Tab")  # to the tail
    keys.press("Enter")
    page.locator("#arrows g.rel").wait_for()
    keys.press("1")  # positive
    keys.press("ArrowRight")  # "in", after ORG
    assert cursor(page) == "29:31"
    keys.press("Shift+ArrowRight")  # "in Berlin"
    assert cursor(page) == "29:38"
    keys.press("Escape")
    assert cursor(page) is None
    wait_saved(page)
    assert page.evaluate("window.mouseEvents") == []
    saved = stored(world, annotator)
    assert [(e["text"], e["label"]) for e in saved["entities"]] == [("Alice Smith", "PER"),
                                                                    ("Acme Corp", "ORG")]
    assert [r["label"] for r in saved["relations"]] == ["works_for"]
    assert saved["sentiment"] == "positive"
    keys.press("Control+Enter")
    page.wait_for_function("() => document.body.dataset.workbench === 'ready' && "
                           "document.querySelector('#text').textContent.includes('next one')")
    first = Annotation.objects.get(annotator=annotator, document__text=ENGLISH)
    assert first.status == "submitted"


def test_keys_alone_send_no_mouse_event_and_delete_relabel_work(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    page.evaluate(MOUSE_SPY)
    keys = page.keyboard
    keys.press("ArrowRight")
    keys.press("p")
    keys.press("Tab")  # the only entity
    keys.press("o")  # relabel
    assert page.locator("#text .tag").all_inner_texts() == ["ORG"]
    keys.press("Delete")
    assert page.locator("#text .tag").count() == 0
    keys.press("Control+z")
    assert page.locator("#text .tag").all_inner_texts() == ["ORG"]
    keys.press("?")
    assert page.locator("#help").is_visible()
    assert "Extend the word cursor" in page.locator("#help").inner_text()
    keys.press("Escape")
    assert page.evaluate("window.mouseEvents") == []
    wait_saved(page)
    assert [e["label"] for e in stored(world, annotator)["entities"]] == ["ORG"]


def test_in_a_right_to_left_text_the_left_arrow_moves_forward(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ARABIC)  # "التقى أحمد بشركة أرامكو في الرياض."
    keys = page.keyboard
    keys.press("ArrowLeft")
    assert cursor(page) == "0:5"
    keys.press("ArrowLeft")
    assert cursor(page) == "6:10"  # أحمد
    keys.press("p")
    keys.press("ArrowLeft")
    keys.press("ArrowLeft")
    assert cursor(page) == "17:23"  # أرامكو
    keys.press("ArrowRight")
    assert cursor(page) == "11:16"
    wait_saved(page)
    assert [e["text"] for e in stored(world, annotator)["entities"]] == ["أحمد"]


def test_a_selection_snaps_to_whole_words_unless_alt_is_held(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    start = ENGLISH.index("Smith")
    select_text(page, start + 1, start + 3)  # "mi" inside Smith
    page.keyboard.press("p")
    page.keyboard.down("Alt")
    berlin = ENGLISH.index("Berlin")
    select_text(page, berlin, berlin + 3)  # "Ber", freely
    page.keyboard.up("Alt")
    page.keyboard.press("o")
    wait_saved(page)
    assert sorted(e["text"] for e in stored(world, annotator)["entities"]) == ["Ber", "Smith"]


def test_an_armed_label_takes_a_double_clicked_word(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    page.keyboard.press("o")  # nothing chosen: ORG is armed
    assert "ORG is armed" in page.locator("#inspector").inner_text()
    word = ENGLISH.index("Berlin")
    box = page.evaluate("""(i) => {
        const seg = [...document.querySelectorAll('#text .seg')].findLast((s) => +s.dataset.a <= i);
        const r = document.createRange(), at = i - seg.dataset.a;
        r.setStart(seg.firstChild, at + 2); r.setEnd(seg.firstChild, at + 3);
        const b = r.getBoundingClientRect();
        return {x: b.left + b.width / 2, y: b.top + b.height / 2};
    }""", word)
    page.mouse.dblclick(box["x"], box["y"])
    page.locator("#text .tag").wait_for()
    wait_saved(page)
    assert [(e["text"], e["label"]) for e in stored(world, annotator)["entities"]] == [
        ("Berlin", "ORG")]


def test_the_annotation_list_is_navigable_and_scrolls_the_text(world, page, annotator):
    log_in(page, annotator.username)
    text = " ".join(f"Word{i}" for i in range(400)) + " Alice at the end."
    open_document(page, world, text)
    keys = page.keyboard
    keys.press("ArrowRight")
    keys.press("p")
    page.evaluate("""(n) => { const wrap = document.querySelector('#text-wrap');
        for (let i = 0; i < n; i++) wrap.dispatchEvent(
            new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true})); }""", 400)
    assert cursor(page) == f"{text.index('Alice')}:{text.index('Alice') + 5}"
    keys.press("o")  # "Alice", far down
    items = page.locator("#annotation-list [data-key]")
    expect(items).to_have_text(["PER “Word0”", "ORG “Alice”"])  # drawn when idle
    wrap = page.locator("#text-wrap")
    bottom = wrap.evaluate("(w) => w.scrollTop")
    items.first.focus()
    keys.press("ArrowDown")
    keys.press("ArrowUp")  # back to PER: the text scrolls up to it
    assert items.first.get_attribute("aria-selected") == "true"
    assert wrap.evaluate("(w) => w.scrollTop") < bottom
    keys.press("Delete")  # removes the focused, selected one
    expect(page.locator("#annotation-list [data-key]")).to_have_text(["ORG “Alice”"])


def test_labels_coming_and_going_never_move_the_text(world, page, annotator):
    log_in(page, annotator.username)
    text = ("Alice Smith joined Acme Corp in Berlin last spring, and Bob Jones went to "
            "Paris with Carol. ") * 6
    open_document(page, world, text)
    where = """() => {  // every 7th character of the text: where it is drawn
        const segs = [...document.querySelectorAll('#text .seg')], r = document.createRange();
        const n = segs.reduce((m, s) => Math.max(m, +s.dataset.a + s.firstChild.length), 0);
        const out = [];
        for (let at = 0; at < n; at += 7) {
            const seg = segs.findLast((s) => +s.dataset.a <= at), i = at - seg.dataset.a;
            r.setStart(seg.firstChild, i); r.setEnd(seg.firstChild, i + 1);
            const b = r.getBoundingClientRect();
            out.push([at, Math.round(b.left * 2) / 2, Math.round(b.top * 2) / 2]);
        }
        return out;
    }"""
    before = {a: (x, y) for a, x, y in page.evaluate(where)}
    for word, key in [("Alice Smith", "p"), ("Acme", "o"), ("Paris", "o"), ("Bob Jones", "p")]:
        at = text.index(word)
        select_text(page, at, at + len(word))
        page.keyboard.press(key)
    after = {a: (x, y) for a, x, y in page.evaluate(where)}
    assert len(before) > 50
    assert moved(before, after) == {}
    page.keyboard.press("Tab")
    page.keyboard.press("Delete")
    assert moved(before, {a: (x, y) for a, x, y in page.evaluate(where)}) == {}


def moved(before: dict, after: dict) -> dict:
    """Characters drawn a pixel or more away (a span's edge may shift the kerning by less)."""
    return {a: (xy, after.get(a)) for a, xy in before.items()
            if after.get(a) is None or max(abs(xy[0] - after[a][0]), abs(xy[1] - after[a][1])) >= 1}


def test_after_the_first_save_only_the_changes_are_sent(world, page, annotator):
    import json

    log_in(page, annotator.username)
    text = " ".join(f"Name{i}" for i in range(300))
    open_document(page, world, text)
    bodies = []
    page.on("request", lambda r: bodies.append(json.loads(r.post_data))
            if r.method == "PUT" and "/annotation/" in r.url else None)
    keys = page.keyboard
    for _ in range(12):  # twelve entities, each saved before the next
        keys.press("ArrowRight")
        keys.press("p")
        wait_saved(page)
    keys.press("Tab")
    keys.press("o")  # relabel the first one
    wait_saved(page)
    assert "entities" in bodies[0]
    assert "changes" not in bodies[0]
    last = bodies[-1]
    assert set(last) == {"changes", "status", "version", "seconds_spent"}
    assert last["changes"]["entities"] == {"add": [{"start": 0, "end": 5, "label": "ORG"}],
                                           "remove": [{"start": 0, "end": 5, "label": "PER"}]}
    saved = stored(world, annotator)
    assert len(saved["entities"]) == 12
    assert saved["entities"][0]["label"] == "ORG"
    assert saved["version"] == len(bodies)
