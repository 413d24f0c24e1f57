"""The Content-Security-Policy: sent on every page, and no template or module relies on what
it forbids (inline script, handler attributes, javascript: URLs, eval, <style> elements).
The browser tests (tests/browser) fail on any console error, CSP violations included."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
MODULES = sorted((ROOT / "static" / "js").rglob("*.js"))


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
def test_pages_and_api_send_the_policy(client):
    for url in (reverse("login"), reverse("api:docs")):
        header = client.get(url)["Content-Security-Policy"]
        policy = directives(header)
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src-elem"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["default-src"] + policy["script-src"]
        assert "'unsafe-eval'" not in header


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_url(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert re.search(r"<script>\s*\S", page) is None
    assert "<style" not in page
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_the_scans_see_the_files():
    assert len(TEMPLATES) > 20
    assert len(MODULES) > 3


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script(path):
    text = path.read_text()
    for tag in re.finditer(r"<script\b([^>]*)>", text):
        attrs = tag.group(1)
        assert "src=" in attrs or 'type="application/json"' in attrs, tag.group(0)
    assert re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text) is None, "a handler attribute"
    assert "javascript:" not in text.lower()
    assert "<style" not in text
    assert re.search(r"hx-on|hx-vars|js:", text) is None, "htmx evaluates these (allowEval)"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_do_not_evaluate_strings(path):
    text = path.read_text()
    assert re.search(r"\beval\(|new Function\(|set(Timeout|Interval)\(\s*[\"'`]", text) is None
