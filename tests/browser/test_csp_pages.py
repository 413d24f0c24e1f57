"""Pages that are not ours keep to the CSP too: Swagger UI and the Django admin open with no
console error (a CSP violation is one) and do their work."""

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_schema(world, page):
    log_in(page, world.users["manager"].username)
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 20
    back = page.get_by_role("link", name="Back to the app")
    assert back.is_visible()
    with page.expect_navigation():
        back.click()
    assert urlparse(page.url).path == "/"  # the projects list


def test_the_admin_for_staff(world, page):
    manager = world.users["manager"]
    manager.is_staff = manager.is_superuser = True
    manager.save()
    log_in(page, manager.username)
    for path in ("/admin/", "/admin/projects/project/",
                 f"/admin/projects/project/{world.project.pk}/change/",
                 "/admin/projects/job/", "/admin/axes/accessattempt/",
                 "/admin/projects/auditevent/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
