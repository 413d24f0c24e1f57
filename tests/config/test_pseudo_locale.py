"""Nothing unmarked: every page and fragment, as each role, under a pseudo-locale that wraps
every string that went through translation in ⟦…⟧. Whatever visible text is left outside the
brackets, once user content (project, label and user names, document text) and the names
that are the same in every language (file formats, statistics) are taken out, was never
marked for translation."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.translation import trans_real

from annotation.models import Document
from annotation.services.agreement.jobs import agreement_start
from annotation.services.store import annotation_save
from projects.models import Job
from tests.conftest import page_client_for
from tests.factories import AssignmentFactory, UserFactory
from tests.projects.role_spec import GET_OK, SPEC, TABLE

OPEN, CLOSE = "⟦", "⟧"
PSEUDO = "zh-hans"  # the pseudo catalogue answers for this language
# Names that are not translated: the product, file formats, standards, statistics' symbols.
SAME_IN_EVERY_LANGUAGE = [
    "Concord", "CoNLL", "JSONL", "JSON", "CSV", "TSV", "spaCy DocBin", "spaCy",
    "Hugging Face datasets", "Hugging Face", "brat", "Label Studio", "doccano",
    "API", "PII", "BIO", "F1", "CRF", "LLM", "HTTP", "URL", "ID", "jieba", "Markdown", "IAA",
    "English", "简体中文", "OpenAPI", "Swagger", "TF-IDF", "sha256",
    # key names, as printed on the keys
    "Ctrl", "Shift", "Alt", "Enter", "Tab", "Esc", "Delete", "Backspace", "Space",
]
TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Code, key caps (Ctrl, Shift, Enter are the keys' names in every language) and user input.
SKIPPED_TAGS = {"script", "style", "template", "code", "pre", "textarea", "kbd"}


class Pseudo(trans_real.DjangoTranslation):
    """English, every translated string wrapped."""

    def gettext(self, message: str) -> str:
        result = super().gettext(message)
        if trans_real.CONTEXT_SEPARATOR in result:  # pgettext without a translation
            result = result.split(trans_real.CONTEXT_SEPARATOR, 1)[1]
        return f"{OPEN}{result}{CLOSE}"

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return f"{OPEN}{super().ngettext(singular, plural, number)}{CLOSE}"


@pytest.fixture
def pseudo():
    saved = dict(trans_real._translations)
    trans_real._translations[PSEUDO] = Pseudo("en")
    yield
    trans_real._translations.clear()
    trans_real._translations.update(saved)


class Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        for name in TEXT_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"])
        if tag in SKIPPED_TAGS or values.get("translate") == "no":
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data)


def unmarked(html: str, exempt: list[str]) -> list[str]:
    """The visible texts (text nodes and text attributes) left once every translated
    string, user content and `exempt` names are taken out. A translated string may hold
    tags (``Signed in as <strong>…</strong>``), so the brackets are matched across nodes."""
    parser = Visible()
    parser.feed(html)
    joined = "\x00".join(parser.texts)
    inner = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while inner.search(joined):
        joined = inner.sub(" ", joined)
    found = []
    for text in joined.split("\x00"):
        rest = text
        for word in exempt:
            rest = rest.replace(word, " ")
        if re.search(r"[^\W\d_]{2,}", rest):
            found.append(" ".join(rest.split()))
    return found


@pytest.fixture
def busy(world, media, django_capture_on_commit_callbacks):
    """The world with work on every page: submissions, a gold, an agreement report, jobs."""
    people = [world.users["annotator"], UserFactory(username="ann-b")]
    for person, sentiment in zip(people, ["positive", "negative"], strict=True):
        annotation_save(document=world.document, annotator=person, status="submitted",
                        version=0, content={"entities": [{"start": 0, "end": 5, "label": "PER"}],
                                            "sentiment": sentiment})
    AssignmentFactory(document=world.document, annotator=world.users["annotator"],
                      status="submitted")  # the annotator's own document page
    Document.objects.create(project=world.project, text="Bob met Carol.", content_hash="b")
    with django_capture_on_commit_callbacks(execute=True):
        agreement_start(project=world.project, by=world.users["manager"])
    return world


def user_content(world) -> list[str]:
    texts = [world.project.name, *(label for label in world.labels),
             *(u.username for u in world.users.values()), "ann-b",
             *Document.objects.filter(project=world.project).values_list("text", flat=True),
             *Document.objects.filter(project=world.project).values_list("external_id",
                                                                         flat=True),
             *(key for meta in Document.objects.filter(project=world.project)
               .values_list("meta", flat=True) for key in meta),
             *SAME_IN_EVERY_LANGUAGE]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def page_urls(world, role: str) -> list[str]:
    rights = TABLE[role]
    urls = []
    for name, methods in SPEC.items():
        if not name.startswith("projects:") or methods.get("GET") not in rights:
            continue
        if name == "projects:workbench":  # projects:label leads to it, with a lease
            continue
        kwargs = {"project_id": world.project.pk}
        route_kwargs = {"label-edit": {"label_id": world.labels["PER"].pk},
                        "document": {"document_id": world.document.pk},
                        "workbench": {"document_id": world.document.pk},
                        "adjudicate": {"document_id": world.document.pk}}
        kwargs.update(route_kwargs.get(name.split(":")[1], {}))
        urls.append(reverse(name, kwargs=kwargs))
    agreement = Job.objects.filter(project=world.project, kind="agreement").first()
    own = Job.objects.create(project=world.project, kind="export", status="failed",
                             created_by=world.users[role])
    urls += [reverse("projects:list"), reverse("projects:account"),
             reverse("projects:job", kwargs={"job_id": own.pk})]
    if "agreement" in rights:
        urls.append(reverse("projects:job", kwargs={"job_id": agreement.pk}))
    if role == "manager":
        urls.append(reverse("projects:create"))
    return urls


@pytest.mark.parametrize("role", ["manager", "reviewer", "annotator", "consumer"])
def test_every_page_and_fragment_is_translated(busy, pseudo, role, settings):
    settings.CONCORD_PROJECT_CREATORS = "any"
    client = page_client_for(busy.users[role])
    exempt = user_content(busy)
    problems: dict[str, list[str]] = {}
    for url in page_urls(busy, role):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE=PSEUDO, **headers)
            assert response.status_code in (200, GET_OK.get(url, 200)), (url, headers)
            found = unmarked(response.content.decode(), exempt)
            if found:
                problems[f"{url} {'(htmx)' if headers else ''}"] = found
    assert not problems, "\n".join(f"{url}: {texts}" for url, texts in problems.items())


def test_the_login_page_is_translated(pseudo, client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=PSEUDO)
    assert unmarked(response.content.decode(), SAME_IN_EVERY_LANGUAGE) == []
    assert OPEN in response.content.decode()


def test_the_checker_finds_an_unmarked_string():
    html = (f"<p>{OPEN}Saved{CLOSE} Alice</p><button title='Close'>x</button>"
            f"<p>{OPEN}Signed in as <b>{OPEN}Alice{CLOSE}</b> now{CLOSE}</p><kbd>Esc</kbd>"
            "<script>var a = 'ignored';</script><p translate='no'>Bob</p><p>disk full</p>")
    assert unmarked(html, ["Alice"]) == ["Close", "disk full"]


def test_the_error_pages_are_translated(world, pseudo):
    outsider = page_client_for(world.users["outsider"])
    annotator = page_client_for(world.users["annotator"])
    for client, url, status in (
            (outsider, reverse("projects:detail", args=[world.project.pk]), 404),
            (annotator, reverse("projects:settings", args=[world.project.pk]), 403)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=PSEUDO)
        assert response.status_code == status
        html = response.content.decode()
        assert OPEN in html
        assert unmarked(html, user_content(world)) == [], url
