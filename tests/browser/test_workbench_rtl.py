"""Right-to-left and mixed-direction texts in the workbench, in Chromium: every paragraph
takes its own direction, selections and keys label the right code points (checked through
the API), the cursor's arrows follow the paragraph, and relation arrows join the entities
where they are drawn."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_workbench import open_document, stored, wait_saved
from tests.browser.test_workbench_keyboard import annotator, cursor  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIXED = "Alice joined Aramco in Riyadh.\nالتقى أحمد بشركة Aramco في الرياض عام 2019."
PERSIAN = "علی در شرکت دیجی‌کالا در تهران کار می‌کند."


def drag_over(page, start: int, end: int) -> None:
    """Drag over code points [start, end) from the outer edge of its first character to the
    outer edge of its last one, as they are drawn: a run's visual order (an English word in
    an Arabic paragraph runs left to right) decides which edges those are."""
    box = page.evaluate("""([start, end]) => {
        const data = document.getElementById('workbench-data').textContent;
        const text = JSON.parse(data).document.text;
        const u16 = (cp) => [...text].slice(0, cp).join('').length;
        const at = (off) => {
            const segs = [...document.querySelectorAll('#text .seg')];
            const seg = segs.findLast((s) => +s.dataset.a <= off);
            const range = document.createRange(), i = off - +seg.dataset.a;
            range.setStart(seg.firstChild, i);
            range.setEnd(seg.firstChild, i + 1);
            return range.getBoundingClientRect();
        };
        const first = at(u16(start)), last = at(u16(end) - 1);
        const ltr = first.left <= last.left;
        return [[ltr ? first.left + 1 : first.right - 1, first.top + first.height / 2],
                [ltr ? last.right - 1 : last.left + 1, last.top + last.height / 2]];
    }""", [start, end])
    (x1, y1), (x2, y2) = box
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=5)
    page.mouse.up()


def label(page, text: str, word: str, key: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    drag_over(page, start, start + len(word))
    page.keyboard.press(key)
    return start, start + len(word)


def directions(page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#text .para')].map((p) => getComputedStyle(p).direction)")


def test_a_mixed_document_labels_both_directions_with_code_point_offsets(world, page,
                                                                         annotator):  # noqa: F811
    log_in(page, annotator.username)
    open_document(page, world, MIXED)
    assert directions(page) == ["ltr", "rtl"]
    expected = [(*label(page, MIXED, "Alice", "p"), "PER"),
                (*label(page, MIXED, "أحمد", "p"), "PER"),
                (*label(page, MIXED, "Aramco", "o", nth=1), "ORG")]  # LTR inside RTL
    wait_saved(page)
    saved = stored(world, annotator)  # through the API
    assert sorted((e["start"], e["end"], e["label"]) for e in saved["entities"]) == sorted(
        expected)
    assert {e["text"] for e in saved["entities"]} == {"Alice", "أحمد", "Aramco"}


def test_the_cursor_follows_each_paragraphs_direction(world, page, annotator):  # noqa: F811
    log_in(page, annotator.username)
    open_document(page, world, MIXED)
    keys = page.keyboard
    keys.press("ArrowRight")  # the English paragraph: right is forward
    assert cursor(page) == "0:5"
    arabic = MIXED.index("التقى")
    for _ in range(6):  # joined Aramco in Riyadh . then the Arabic paragraph's first word
        keys.press("ArrowRight")
    assert cursor(page) == f"{arabic}:{arabic + 5}"
    keys.press("ArrowLeft")  # in the Arabic paragraph, left is forward
    ahmad = MIXED.index("أحمد")
    assert cursor(page) == f"{ahmad}:{ahmad + 4}"
    keys.press("p")
    wait_saved(page)
    assert [(e["start"], e["text"]) for e in stored(world, annotator)["entities"]] == [
        (ahmad, "أحمد")]


def test_a_persian_text_with_zero_width_non_joiners(world, page, annotator):  # noqa: F811
    log_in(page, annotator.username)
    open_document(page, world, PERSIAN)
    assert directions(page) == ["rtl"]
    expected = [(*label(page, PERSIAN, "علی", "p"), "PER"),
                (*label(page, PERSIAN, "دیجی‌کالا", "o"), "ORG")]
    wait_saved(page)
    saved = stored(world, annotator)
    assert sorted((e["start"], e["end"], e["label"]) for e in saved["entities"]) == sorted(
        expected)


def test_a_relation_arrow_joins_its_entities_in_a_right_to_left_paragraph(world, page,
                                                                          annotator):  # noqa: F811
    text = "التقى أحمد بشركة أرامكو في الرياض."
    log_in(page, annotator.username)
    open_document(page, world, text)
    label(page, text, "أحمد", "p")
    label(page, text, "أرامكو", "o")
    keys = page.keyboard
    keys.press("Shift+Tab")  # back to أحمد, the head
    keys.press("w")
    keys.press("Tab")
    keys.press("Enter")
    page.locator("#arrows g.rel").wait_for()
    ends = page.evaluate("""([head, tail]) => {
        const d = document.querySelector('#arrows g.rel path.line').getAttribute('d');
        const n = d.match(/-?[\\d.]+/g).map(Number);
        const wrap = document.querySelector('#text-wrap').getBoundingClientRect();
        const data = document.getElementById('workbench-data').textContent;
        const text = JSON.parse(data).document.text;
        const box = ([a, b]) => {  // the word's drawn extent, in the arrows' coordinates
            const segs = [...document.querySelectorAll('#text .seg')];
            const xs = [];
            for (let i = a; i < b; i++) {
                const seg = segs.findLast((s) => +s.dataset.a <= i);
                const range = document.createRange(), at = i - +seg.dataset.a;
                range.setStart(seg.firstChild, at);
                range.setEnd(seg.firstChild, at + 1);
                const r = range.getBoundingClientRect();
                xs.push(r.left - wrap.left, r.right - wrap.left);
            }
            return [Math.min(...xs), Math.max(...xs)];
        };
        return {start: n[0], end: n[n.length - 2], head: box(head), tail: box(tail)};
    }""", [[text.index("أحمد"), text.index("أحمد") + 4],
          [text.index("أرامكو"), text.index("أرامكو") + 6]])
    assert ends["head"][0] <= ends["start"] <= ends["head"][1]
    assert ends["tail"][0] <= ends["end"] <= ends["tail"][1]
    assert ends["start"] > ends["end"]  # right to left: the head is to the right of the tail
    wait_saved(page)
    saved = stored(world, annotator)
    by_id = {e["id"]: e["text"] for e in saved["entities"]}
    assert [(by_id[r["head"]], by_id[r["tail"]]) for r in saved["relations"]] == [
        ("أحمد", "أرامكو")]
