"""A project that segments Chinese into words (jieba): in Chromium, the cursor and a mouse
selection take whole words, the same tokens the CoNLL export writes; Alt still selects
freely. (A double-click needs no test here: Chromium's own word selection already takes
Chinese words, and the workbench widens it to whole tokens as for any text.)"""

import pytest

from annotation.pure.tokens import tokenize
from projects import services
from tests.browser.conftest import log_in
from tests.browser.test_workbench import open_document, select_text, stored, wait_saved
from tests.browser.test_workbench_keyboard import cursor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "😀 马云在阿里巴巴工作，他住在杭州。"


@pytest.fixture
def annotator(world):
    services.project_update(project=world.project, segmentation="jieba")
    return world.users["annotator"]


def test_the_cursor_moves_word_by_word(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, TEXT)
    keys = page.keyboard
    seen = []
    for _ in range(4):
        keys.press("ArrowRight")
        seen.append(cursor(page))
    words = [f"{s}:{e}" for s, e in tokenize(TEXT, "jieba")]
    assert seen == words[:4] == ["0:1", "2:4", "4:5", "5:9"]  # 😀 马云 在 阿里巴巴
    keys.press("o")
    wait_saved(page)
    assert [(e["text"], e["label"]) for e in stored(world, annotator)["entities"]] == [
        ("阿里巴巴", "ORG")]


def test_a_selection_inside_a_word_takes_the_word_unless_alt_is_held(world, page, annotator):
    log_in(page, annotator.username)
    open_document(page, world, TEXT)
    at = TEXT.index("马云")
    select_text(page, at + 1, at + 2)  # 云 alone
    page.keyboard.press("p")
    page.keyboard.down("Alt")
    city = TEXT.index("杭州")
    select_text(page, city, city + 1)  # 杭, freely
    page.keyboard.up("Alt")
    page.keyboard.press("o")
    wait_saved(page)
    assert sorted(e["text"] for e in stored(world, annotator)["entities"]) == ["杭", "马云"]

