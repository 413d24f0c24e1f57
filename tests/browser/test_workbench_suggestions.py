"""The agents' suggestions in the workbench, in a real Chromium: an annotator sees them with
their agent and score, accepts one, rejects another, labels all occurrences of an entity
(after an emoji and Chinese, so code points and UTF-16 differ), undoes and redoes that in one
step, and submits; the stored annotation and the decisions are then read from the database."""

import time

import pytest

from annotation.models import Agent, Annotation, Suggestion, SuggestionDecision
from annotation.pure.assist.dictionary import occurrences
from tests.browser.conftest import log_in
from tests.browser.test_workbench import select_text
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = ("👍🏽 张伟在阿里巴巴工作。Acme hired Alice in Berlin; Acme Labs and Acmes and Acme, "
        "not 阿里巴巴.")


def span(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    at = -1
    for _ in range(nth + 1):
        at = text.index(word, at + 1)
    return at, at + len(word)


def suggest(world, document, *, entities=(), relations=(), sentiment=(), agent="imported",
            version="", score=1.0, active=True):
    """Suggestions of one agent on `document`: entities (start, end, label), relations
    ((head start, end), (tail start, end), label), sentiment label names."""
    bot, _ = Agent.objects.get_or_create(project=world.project, name=agent,
                                         defaults={"kind": "imported", "active": active})
    common = {"project": world.project, "document": document, "agent": bot,
              "model_version": version, "score": score}
    label = world.project.labels.get
    Suggestion.objects.bulk_create(
        [Suggestion(**common, kind="entity", label=label(kind="entity", name=name),
                    start=start, end=end) for start, end, name in entities]
        + [Suggestion(**common, kind="relation", label=label(kind="relation", name=name),
                      start=head[0], end=head[1], tail_start=tail[0], tail_end=tail[1])
           for head, tail, name in relations]
        + [Suggestion(**common, kind="sentiment", label=label(kind="sentiment", name=name))
           for name in sentiment])
    return bot


def wait_for(check, timeout=10.0):
    """Poll the database until `check()` holds (decisions are sent in the background)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def count_is(page, n: int) -> None:
    page.wait_for_function(f"document.querySelector('#suggestion-count').textContent === '{n}'")


def test_accept_reject_label_all_occurrences_and_submit(world, page):
    annotator = world.users["annotator"]
    world.document.delete()
    document = DocumentFactory(project=world.project, text=TEXT)
    alice, berlin, labs = span(TEXT, "Alice"), span(TEXT, "Berlin"), span(TEXT, "Acme Labs")
    suggest(world, document, entities=[(*alice, "PER")], agent="dictionary", version="2",
            score=0.92)
    suggest(world, document, entities=[(*berlin, "ORG"), (*labs, "ORG")], agent="crf",
            version="7", score=0.88)
    Suggestion.objects.filter(start=berlin[0]).update(score=0.41)
    suggest(world, document, entities=[(*span(TEXT, "Acmes"), "ORG")], agent="crf",
            score=0.1)  # under the project's minimum: not shown
    suggest(world, document, entities=[(*span(TEXT, "张伟"), "PER")], agent="llm",
            active=False)  # a switched-off agent: not shown

    log_in(page, annotator.username)
    page.goto(f"/projects/{world.project.pk}/label/")
    page.wait_for_selector("body[data-workbench=ready]")
    count_is(page, 3)
    # the agent and score: in the tag's title, the side panel and the inspector
    tag = page.locator("#text .tag.sug", has_text="PER")
    assert "dictionary v2 0.92" in tag.get_attribute("title")
    rows = page.locator("#suggestion-list li.suggestion")
    assert rows.count() == 3
    assert "dictionary v2 0.92" in rows.filter(has_text="Alice").inner_text()
    assert "crf v7 0.41" in rows.filter(has_text="Berlin").inner_text()
    tag.click()
    assert "dictionary" in page.locator("#inspector").inner_text()
    assert "0.92" in page.locator("#inspector").inner_text()
    page.keyboard.press("Enter")  # accept one (the keyboard)
    count_is(page, 2)
    page.get_by_role("button", name="Reject ORG Berlin").click()  # reject one (the panel)
    count_is(page, 1)
    page.get_by_role("button", name="Accept ORG Acme Labs").click()
    page.wait_for_selector("#suggestions", state="hidden")

    # label the first Acme, then all its other occurrences: "Acme" inside "Acme Labs"
    # overlaps an entity and "Acmes" is not a token of its own, so only the last is added
    start, end = span(TEXT, "Acme")
    select_text(page, start, end)
    page.keyboard.press("o")
    page.locator("#label-all").click()
    assert "1 more" in page.locator("#notice").inner_text()
    # and the Chinese one with the key, undone and redone in one step each
    start, end = span(TEXT, "阿里巴巴")
    select_text(page, start, end)
    page.keyboard.press("o")
    entities = "#text .tag:not(.sug)"
    assert page.locator(entities).count() == 5
    page.keyboard.press("Alt+a")
    assert page.locator(entities).count() == 6
    page.keyboard.press("Control+z")
    assert page.locator(entities).count() == 5
    page.keyboard.press("Control+Shift+z")
    assert page.locator(entities).count() == 6
    page.keyboard.press("?")
    assert "Label all occurrences" in page.locator("#help").inner_text()
    assert "Accept all suggestions" in page.locator("#help").inner_text()
    page.keyboard.press("Escape")

    page.keyboard.press("Control+Enter")  # submit
    page.wait_for_url(lambda url: "/documents/" not in url)
    stored = Annotation.objects.get(document=document, annotator=annotator)
    assert stored.status == "submitted"
    got = sorted((s.start, s.end, s.label.name) for s in stored.spans.all())
    acme = occurrences(TEXT, "Acme")  # the dictionary agent's rule, in code points
    china = occurrences(TEXT, "阿里巴巴")
    assert len(acme) == 3  # "Acmes" is skipped
    assert len(china) == 2  # one token a character: both count
    assert got == sorted([(*alice, "PER"), (*labs, "ORG"), (*acme[0], "ORG"),
                          (*acme[2], "ORG"), (*china[0], "ORG"), (*china[1], "ORG")])
    for start, end, _ in got:
        assert TEXT[start:end] in {"Alice", "Acme Labs", "Acme", "阿里巴巴"}

    wait_for(lambda: SuggestionDecision.objects.count() == 3)
    decisions = sorted((d.agent.name, d.label.name, d.start, d.end, d.decision, d.score,
                        d.model_version) for d in SuggestionDecision.objects.all())
    assert decisions == [
        ("crf", "ORG", *berlin, "rejected", 0.41, "7"),
        ("crf", "ORG", *labs, "accepted", 0.88, "7"),
        ("dictionary", "PER", *alice, "accepted", 0.92, "2")]
    assert {d.user_id for d in SuggestionDecision.objects.all()} == {annotator.pk}


def test_a_failing_suggestions_endpoint_never_blocks_a_submit(world, page):
    """Decisions are fire and forget: with the endpoint down, accepting and submitting
    still store the annotation; the decisions wait in localStorage and go on a later page."""
    annotator = world.users["annotator"]
    world.document.delete()
    first = DocumentFactory(project=world.project, text="Alice met Bob.")
    DocumentFactory(project=world.project, text="Carol met Dave.")
    suggest(world, first, entities=[(0, 5, "PER")], agent="dictionary", score=0.9)
    log_in(page, annotator.username)
    page.route("**/suggestions/", lambda route: route.fulfill(status=503, body="down"))
    page.goto(f"/projects/{world.project.pk}/label/")
    page.wait_for_selector("body[data-workbench=ready]")
    page.get_by_role("button", name="Accept all").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: f"/documents/{first.pk}/" not in url)
    page.wait_for_selector("body[data-workbench=ready]")
    stored = Annotation.objects.get(document=first, annotator=annotator)
    assert stored.status == "submitted"
    assert [(s.start, s.end) for s in stored.spans.all()] == [(0, 5)]
    assert SuggestionDecision.objects.count() == 0
    page.unroute("**/suggestions/")
    page.console_errors[:] = [e for e in page.console_errors if "503" not in e]
    page.reload()  # the next workbench page sends what the first left behind
    page.wait_for_selector("body[data-workbench=ready]")
    wait_for(lambda: SuggestionDecision.objects.filter(document=first).count() == 1)
    assert SuggestionDecision.objects.get().decision == "accepted"
