"""Every page in Simplified Chinese, as each role, in Chromium: nothing overflows or is cut
off (buttons, tabs, table headers, chips, labels), the page never scrolls sideways, and a
screenshot of each goes to test-artifacts/zh-Hans/ for people to look at."""

import re
from pathlib import Path

import pytest

from projects.services import language_preference_set
from tests.browser.conftest import log_in
from tests.config.test_pseudo_locale import busy, page_urls  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "zh-Hans"
OVERFLOWING = """() => {
    const found = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
        found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    }
    const sel = 'button, a.button, nav a, .tabs a, th, .chip, .status, label, summary, h1, h2';
    for (const el of document.querySelectorAll(sel)) {
        const box = el.getBoundingClientRect();
        // hidden, or visually hidden for screen readers (a 1px clip)
        const hidden = getComputedStyle(el).visibility === 'hidden';
        if (box.width <= 1 || box.height <= 1 || hidden) continue;
        if (el.clientWidth && el.scrollWidth > el.clientWidth + 1) {
            found.push(`${el.tagName.toLowerCase()} “${el.textContent.trim().slice(0, 40)}” `
                       + `is cut: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        if (box.right > width + 1) {
            found.push(`${el.tagName.toLowerCase()} “${el.textContent.trim().slice(0, 40)}” `
                       + `leaves the page at ${Math.round(box.right)} > ${width}`);
        }
    }
    return found;
}"""


def shot_name(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.strip("/").lower()).strip("-") or "projects"


@pytest.mark.parametrize("role", ["manager", "reviewer", "annotator", "consumer"])
def test_every_page_in_chinese_fits(busy, page, role, settings):  # noqa: F811
    settings.CONCORD_PROJECT_CREATORS = "any"
    user = busy.users[role]
    language_preference_set(user=user, language="zh-hans")
    log_in(page, user.username)
    folder = SHOTS / role
    folder.mkdir(parents=True, exist_ok=True)
    problems = {}
    for url in page_urls(busy, role):
        response = page.goto(url)
        assert response is not None
        assert response.ok, (url, response.status)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == "zh-hans", url
        page.screenshot(path=str(folder / f"{shot_name(url)}.png"), full_page=True)
        found = page.evaluate(OVERFLOWING)
        if found:
            problems[url] = found
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
