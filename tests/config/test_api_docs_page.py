"""The Swagger page (/api/v1/docs/) has a way back to the app, and keeps to the CSP
(tests/config/test_csp.py, tests/browser/test_csp_pages.py)."""

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_swagger_page_links_back_to_the_app(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    bar = re.search(r'<header class="concord-bar">.*?</header>', page, re.S)
    assert bar is not None
    assert f'<a href="{reverse("projects:list")}">Back to the app</a>' in bar.group(0)
    assert f'href="{reverse("api:root")}"' in bar.group(0)
    assert bar.start() < page.index('<div id="swagger-ui">')  # above Swagger UI, still there
    assert "<style" not in page  # the CSP refuses <style> elements: the bar's is a file
