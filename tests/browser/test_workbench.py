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
        const para = document.querySelector('#text .para');  // its own direction: dir=auto
        const rtl = getComputedStyle(para).direction === 'rtl';
        return {x1: rtl ? first.right - 1 : first.left + 1, y1: first.top + first.height / 2,
                x2: rtl ? last.left + 1 : last.right - 1, y2: last.top + last.height / 2};
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


ARABIC = "التقى أحمد بشركة أرامكو في الرياض."


def test_double_click_selects_a_word_and_rtl_text_works(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ARABIC)
    # dir=auto: the text's first strong character makes the paragraph right-to-left.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#text .para')).direction") == "rtl"
    label_word(page, ARABIC, "أحمد", "p")
    word = ARABIC.index("أرامكو")
    box = page.evaluate("""(i) => {
        const segs = [...document.querySelectorAll('#text .seg')];
        const seg = segs.findLast((s) => +s.dataset.a <= i);
        const r = document.createRange(), at = i - seg.dataset.a;
        r.setStart(seg.firstChild, at + 2);
        r.setEnd(seg.firstChild, at + 3);
        const b = r.getBoundingClientRect();
        return {x: b.left + b.width / 2, y: b.top + b.height / 2};
    }""", word)
    page.mouse.dblclick(box["x"], box["y"])
    page.keyboard.press("o")
    wait_saved(page)
    entities = stored(world, annotator)["entities"]
    assert sorted((e["text"], e["label"]) for e in entities) == [("أحمد", "PER"), ("أرامكو", "ORG")]


def test_delete_undo_redo_and_the_shortcut_sheet(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    label_word(page, ENGLISH, "Alice Smith", "p")
    page.locator("#text .tag", has_text="PER").click()
    page.keyboard.press("o")  # relabel the selected entity
    page.locator("#text .tag", has_text="ORG").wait_for()
    page.keyboard.press("Delete")
    page.wait_for_function("document.querySelectorAll('#text .tag').length === 0")
    page.keyboard.press("Control+z")
    page.locator("#text .tag", has_text="ORG").wait_for()
    page.keyboard.press("Control+z")
    page.locator("#text .tag", has_text="PER").wait_for()
    page.keyboard.press("Control+Shift+z")
    page.locator("#text .tag", has_text="ORG").wait_for()
    wait_saved(page)
    assert [e["label"] for e in stored(world, annotator)["entities"]] == ["ORG"]
    page.keyboard.press("?")
    assert page.locator("dialog#help").is_visible()
    assert "Submit and open the next document" in page.locator("dialog#help").inner_text()
    page.keyboard.press("Escape")
    assert not page.locator("dialog#help").is_visible()


def test_a_stale_second_tab_gets_a_conflict_and_overwrites_nothing(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector("body[data-workbench=ready]")
    label_word(page, ENGLISH, "Alice Smith", "p")
    wait_saved(page)
    label_word(other, ENGLISH, "Acme Corp", "o")
    other.wait_for_selector("#save-state[data-state=conflict]")
    assert "another tab" in other.locator("#notice").inner_text()
    assert other.locator("#reload").is_visible()
    assert [e["text"] for e in stored(world, annotator)["entities"]] == ["Alice Smith"]
    other.locator("#reload").click()
    other.wait_for_selector("body[data-workbench=ready]")
    assert other.locator("#text .tag").count() == 1


def test_lost_connection_retries_and_a_closed_tab_loses_nothing(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    page.context.set_offline(True)
    label_word(page, ENGLISH, "Alice Smith", "p")
    page.wait_for_selector("#save-state[data-state=offline]")
    assert page.locator("#retry").is_visible()
    page.console_errors.clear()  # Chromium logs the failed fetch
    url = page.url
    page.close()  # the tab goes away before the server ever saw the change
    page = world_page = page.context.new_page()
    page.context.set_offline(False)
    world_page.on("console", lambda m: None)
    page.goto(url)
    page.wait_for_selector("body[data-workbench=ready]")
    assert "restored" in page.locator("#notice").inner_text()
    wait_saved(page)
    assert [e["text"] for e in stored(world, annotator)["entities"]] == ["Alice Smith"]


def test_suggestions_are_accepted_or_rejected(world, page, annotator):
    from tests.browser.test_workbench_suggestions import suggest

    log_in(page, annotator.username)
    world.document.delete()
    document = DocumentFactory(project=world.project, text=ENGLISH)
    suggest(world, document, entities=[(0, 11, "PER"), (19, 28, "ORG"), (32, 38, "ORG")],
            relations=[((0, 11), (19, 28), "works_for")], sentiment=["positive"])
    page.goto(f"/projects/{world.project.pk}/label/")
    page.wait_for_selector("body[data-workbench=ready]")
    assert page.locator("#suggestion-count").inner_text() == "5"  # 3 entities, 1 relation, 1
    assert page.locator("#arrows g.rel.sug").count() == 1
    page.locator("#text .tag.sug", has_text="ORG").last.click()  # Berlin is no ORG
    page.keyboard.press("Delete")
    page.wait_for_function("document.querySelector('#suggestion-count').textContent === '4'")
    page.locator("#text .tag.sug", has_text="PER").click()
    page.keyboard.press("Enter")  # accept one
    page.wait_for_function("document.querySelector('#suggestion-count').textContent === '3'")
    page.get_by_role("button", name="Accept all").click()
    page.wait_for_selector("#text .tag.sug", state="detached")
    assert page.locator("#suggestions").is_hidden()
    wait_saved(page)
    data = stored(world, annotator)
    assert [(e["text"], e["label"]) for e in data["entities"]] == [
        ("Alice Smith", "PER"), ("Acme Corp", "ORG")]
    assert data["relations"] == [{"head": "T1", "tail": "T2", "label": "works_for"}]
    assert data["sentiment"] == "positive"


def test_skip_opens_the_next_document(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    DocumentFactory(project=world.project, text=CHINESE)
    page.get_by_role("button", name="Skip").click()
    page.locator("#skip-dialog").wait_for()  # it asks first (test_workbench_skip.py)
    page.keyboard.press("Enter")
    page.locator("#text", has_text=CHINESE).wait_for()
    page.wait_for_selector("body[data-workbench=ready]")
    assert Assignment.objects.filter(annotator=annotator, status="skipped").count() == 1
    page.goto(f"/projects/{world.project.pk}/")
    assert page.locator("[data-count=skipped]").inner_text() == "1"
    assert page.locator("#start-labeling").inner_text() == "Continue labeling"


def test_a_long_document_with_a_thousand_entities_opens_and_edits(world, page, annotator):
    """Correctness at size; the speed of the same page is measured by `make bench`."""
    from annotation.services.annotations import annotation_write
    from annotation.services.assignments import assignment_next

    sentence = "Alice met 阿里巴巴 in Berlin 🎉 today. "
    text = (sentence * (50_000 // len(sentence) + 1))[:50_000]
    world.document.delete()
    document = DocumentFactory(project=world.project, text=text)
    assignment_next(project=world.project, user=annotator)
    starts = [i for i in range(len(text)) if text.startswith("Alice", i)][:1000]
    annotation_write(project=world.project, document_id=document.pk, user=annotator, version=0,
                     status="draft", seconds_spent=0,
                     content={"entities": [{"start": s, "end": s + 5, "label": "PER"}
                                           for s in starts]})
    log_in(page, annotator.username)
    page.goto(f"/projects/{world.project.pk}/label/")
    page.wait_for_selector("body[data-workbench=ready]")
    assert page.locator("#text .tag").count() == 1000
    last = text.rindex("阿里巴巴")
    page.locator("#text-wrap").evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    select_text(page, last, last + 4)
    page.keyboard.press("o")
    page.wait_for_function("document.querySelectorAll('#text .tag').length === 1001")
    wait_saved(page)
    entities = stored(world, annotator)["entities"]
    assert len(entities) == 1001
    assert {"start": last, "end": last + 4, "label": "ORG", "text": "阿里巴巴"}.items() <= \
        next(e for e in entities if e["label"] == "ORG").items()


def test_relation_is_selected_by_click_and_deleted_and_sentiment_has_keys(world, page,
                                                                            annotator):
    from projects import services

    services.label_update(label=world.labels["negative"], shortcut="n")
    services.label_update(label=world.labels["works_for"], shortcut="w")
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    label_word(page, ENGLISH, "Alice Smith", "p")
    label_word(page, ENGLISH, "Acme Corp", "o")
    page.locator("#text .tag", has_text="PER").click()
    page.keyboard.press("w")
    page.locator("#text .tag", has_text="ORG").click()
    page.locator("#arrows g.rel text").click()
    assert page.locator("#arrows g.rel.selected").count() == 1
    page.keyboard.press("Delete")
    page.wait_for_selector("#arrows g.rel", state="detached")
    page.keyboard.press("n")
    assert page.get_by_role("button", name="negative").get_attribute("aria-pressed") == "true"
    wait_saved(page)
    data = stored(world, annotator)
    assert (data["relations"], data["sentiment"], len(data["entities"])) == ([], "negative", 2)


def test_when_nothing_is_left_the_annotator_is_told(world, page, annotator):
    world.document.delete()
    log_in(page, annotator.username)
    page.goto(f"/projects/{world.project.pk}/")
    assert page.locator("#start-labeling").count() == 0
    page.goto(f"/projects/{world.project.pk}/label/")
    assert "Nothing left to label" in page.locator("#all-done").inner_text()


def test_nested_and_crossing_spans_when_the_project_allows_them(world, page, annotator):
    from projects import services

    services.project_update(project=world.project, allow_overlapping_spans=True)
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    label_word(page, ENGLISH, "Alice Smith joined Acme Corp", "p")
    label_word(page, ENGLISH, "Acme Corp", "o")  # nested
    label_word(page, ENGLISH, "Corp in Berlin", "o")  # crossing
    wait_saved(page)
    assert sorted(e["text"] for e in stored(world, annotator)["entities"]) == [
        "Acme Corp", "Alice Smith joined Acme Corp", "Corp in Berlin"]
    # "Corp" lies under all three: three stacked bars, one per span.
    corp = page.locator("#text .seg", has_text="Corp").first
    assert len(corp.get_attribute("data-ids").split()) == 3
    bars = corp.evaluate("(el) => getComputedStyle(el).boxShadow")
    assert [b.split(") ")[1] for b in bars.split(", rgb")] == [
        "0px 2px 0px 0px", "0px 3px 0px 0px", "0px 5px 0px 0px", "0px 6px 0px 0px",
        "0px 8px 0px 0px", "0px 9px 0px 0px"]  # a bar, a gap, a bar...
    page.screenshot(path=str(ARTIFACTS / "workbench-nested.png"))
    services.project_update(project=world.project, allow_overlapping_spans=False)
    page.reload()
    page.wait_for_selector("body[data-workbench=ready]")
    label_word(page, ENGLISH, "Berlin last", "p")
    assert "does not allow overlapping spans" in page.locator("#notice").inner_text()
