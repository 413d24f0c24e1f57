from pathlib import Path

import pytest

from projects.models import Label
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize("role", ["manager", "reviewer", "annotator", "consumer"])
def test_each_role_logs_in_and_sees_its_role(world, page, role):
    log_in(page, world.users[role].username)
    row = page.locator("#project-list tr", has_text="News")
    assert row.locator("[data-role]").get_attribute("data-role") == role
    page.screenshot(path=str(ARTIFACTS / f"project-list-{role}.png"), full_page=True)


def test_manager_edits_a_label_inline_with_htmx(world, page):
    log_in(page, world.users["manager"].username)
    page.goto(f"/projects/{world.project.pk}/labels/")
    label = world.labels["ORG"]
    row = page.locator(f"#label-{label.pk}")
    row.get_by_role("link", name="Edit").click()
    form = page.locator(f"#label-{label.pk} form")
    form.locator("input[name=name]").fill("COMPANY")
    form.locator("input[name=shortcut]").fill("c")
    page.screenshot(path=str(ARTIFACTS / "labels-editing.png"), full_page=True)
    form.get_by_role("button", name="Save").click()
    page.locator(f"#label-{label.pk}", has_text="COMPANY").wait_for()
    assert page.url.endswith(f"/projects/{world.project.pk}/labels/")  # no full navigation
    label = Label.objects.get(pk=label.pk)
    assert (label.name, label.shortcut) == ("COMPANY", "c")


def test_guidelines_preview_updates_while_typing(world, page):
    log_in(page, world.users["manager"].username)
    page.goto(f"/projects/{world.project.pk}/guidelines/")
    page.fill("textarea[name=guidelines]",
              "# 标注规则\n\nMark **people** 👩‍💻 <script>alert(1)</script>")
    page.locator("#preview h1", has_text="标注规则").wait_for()
    assert page.locator("#preview strong").inner_text() == "people"
    assert page.locator("#preview script").count() == 0
    page.get_by_role("button", name="Save guidelines").click()
    page.wait_for_url(f"**/projects/{world.project.pk}/")
    assert "标注规则" in page.locator(".prose h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "project-overview.png"), full_page=True)


def test_language_switcher_changes_the_page_language(world, page):
    log_in(page, world.users["annotator"].username)
    page.select_option("#language", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")


def test_non_member_sees_not_found(world, page):
    log_in(page, world.users["outsider"].username)
    response = page.goto(f"/projects/{world.project.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    page.console_errors.remove(
        "Failed to load resource: the server responded with a status of 404 (Not Found)")
