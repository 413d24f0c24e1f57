"""Blind annotation: an annotator never sees anyone else's annotation, the gold, or whether a
document is a gold check, through any page, htmx fragment, API endpoint, export or download
(DESIGN.md's role table; docs/permissions.md, docs/gold-checks.md).

The scene: a second annotator (OTHER) has submitted work on a document both annotators were
handed (SHARED, which a reviewer then gave gold and a manager made a gold check) and on one
only they were handed (HIDDEN, also with gold); an agreement report and a stored export
exist, both full of that work. Then, as the annotator:

- every project-scoped URL pattern of the urlconf (role_spec.SPEC, which the access matrix
  keeps complete), each method it takes, asked about SHARED and about HIDDEN, GETs also as
  htmx requests; plus job status, the project list, the account page and the admin. No answer
  carries a marker of the others' work (OTHER's and the reviewer's names, HIDDEN's words,
  "gold"), and the answer is 403 wherever the role lacks the right or the document is not
  theirs;
- what they see of SHARED (the workbench page, their annotation through the API, the next
  document) is the same, byte for byte, before and after OTHER's work, the gold and the check.
"""

import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from annotation.models import DatasetVersion, Document
from annotation.services.agreement.jobs import agreement_start
from annotation.services.annotations import annotation_write
from annotation.services.exports import export_start
from annotation.services.gold import gold_save
from annotation.services.gold_checks import gold_checks_mark
from projects import services
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory
from tests.projects.role_spec import GET_OK, SPEC, TABLE, routes

pytestmark = pytest.mark.django_db

OTHER = "zq-other-annotator"
SHARED_TEXT = "Alice joined Acme in Paris."
HIDDEN_TEXT = "Quillon Marrowfax works for Vexbridge."
# Never in anything the annotator receives. "gold" also covers is_gold_check, gold_check_rate
# and the gold-checks URLs; the request's own path is taken out first (403 pages echo it).
MARKERS = (OTHER, "reviewer-user", "Quillon", "Marrowfax", "Vexbridge", "gold")

MINE = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}], "relations": [],
        "sentiment": "positive"}
THEIRS_SHARED = {"entities": [{"id": "T1", "start": 13, "end": 17, "label": "ORG"},
                              {"id": "T2", "start": 21, "end": 26, "label": "ORG"}],
                 "relations": [], "sentiment": "negative"}
THEIRS_HIDDEN = {"entities": [{"id": "T1", "start": 0, "end": 16, "label": "PER"},
                              {"id": "T2", "start": 28, "end": 37, "label": "ORG"}],
                 "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
                 "sentiment": "negative"}
GOLD_SHARED = {**THEIRS_SHARED, "entities": [*MINE["entities"],
                                             {**THEIRS_SHARED["entities"][0], "id": "T2"}]}


def _submit(world, user, document, content) -> None:
    annotation_write(project=world.project, document_id=document.pk, user=user,
                     content=content, version=0, status="submitted", seconds_spent=7.0)


def _seen_of_shared(world, shared: Document) -> dict[str, str]:
    """What the annotator is shown of SHARED, csrf tokens taken out."""
    annotator = world.users["annotator"]
    page = page_client_for(annotator).get(reverse(
        "projects:workbench", kwargs={"project_id": world.project.pk, "document_id": shared.pk}))
    api = api_client_for(annotator)
    own = api.get(reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                                    "document_id": shared.pk}))
    nxt = api.get(reverse("api:next", kwargs={"project_id": world.project.pk}))
    seen = {"workbench": page, "annotation": own, "next": nxt}
    assert {name: r.status_code for name, r in seen.items()} == dict.fromkeys(seen, 200)
    assert nxt.json()["document"]["id"] == shared.pk  # their open lease, resumed
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page.content.decode())
    # Their progress line counts what is left in the project for them, which shrinks when
    # others finish documents (HIDDEN, here): a count of the queue, not anyone's work.
    html = re.sub(r"\d+ done · \d+ to go", "PROGRESS", html)
    html = re.sub(r'id="own-progress" max="\d+" value="\d+"', "PROGRESS", html)
    return {"workbench": re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", html),
            "annotation": own.content.decode(),
            # resuming the lease renews it: its end is the one thing that moves
            "next": re.sub(r'"expires_at":"[^"]+"', "EXPIRES", nxt.content.decode())}


@pytest.fixture
def scene(world, media, django_capture_on_commit_callbacks):
    """SHARED and HIDDEN as the module's docstring says; returns what the annotator saw of
    SHARED before anyone else's work existed."""
    annotator, reviewer = world.users["annotator"], world.users["reviewer"]
    other = UserFactory(username=OTHER)
    services.member_add(project=world.project, username=OTHER, role="annotator")
    world.document.delete()  # only the scene's documents
    shared = DocumentFactory(project=world.project, text=SHARED_TEXT, external_id="s-1")
    hidden = DocumentFactory(project=world.project, text=HIDDEN_TEXT, external_id="h-1")
    AssignmentFactory(document=shared, annotator=annotator)
    annotation_write(project=world.project, document_id=shared.pk, user=annotator,
                     content=MINE, version=0, status="draft", seconds_spent=3.0)
    before = _seen_of_shared(world, shared)

    AssignmentFactory(document=shared, annotator=other)
    AssignmentFactory(document=hidden, annotator=other)
    _submit(world, other, shared, THEIRS_SHARED)
    _submit(world, other, hidden, THEIRS_HIDDEN)
    gold_save(document=shared, content=GOLD_SHARED, by=reviewer, version=0)
    gold_save(document=hidden, content=THEIRS_HIDDEN, by=reviewer, version=0)
    gold_checks_mark(project=world.project, document_ids=[shared.pk])
    manager = world.users["manager"]
    with django_capture_on_commit_callbacks(execute=True):  # the tasks run in-process
        agreement = agreement_start(project=world.project, by=manager)
        export = export_start(project=world.project, by=manager, fmt="jsonl", scope="all")
    version = DatasetVersion.objects.get(project=world.project)
    for job in (agreement, export):
        job.refresh_from_db()
        assert job.status == "succeeded", (job.kind, job.message, job.errors)
    with default_storage.open(version.file) as stored:  # so a download would leak
        content = stored.read().decode()
    assert OTHER in content
    assert "Vexbridge" in content
    return {"shared": shared, "hidden": hidden, "before": before, "version": version,
            "jobs": [agreement, export], "other": other}


def _body(response) -> bytes:
    """Its bytes; a streamed export or a file download read to the end."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _leaks(body: bytes, path: str) -> list[str]:
    # The project API's settings, for every member: whether gold is auto-accepted, and
    # (documented in docs/gold-checks.md) how often checks come, never which document is one;
    # how many gold relations the relation model needs (docs/agents.md).
    text = re.sub(r'"(auto_accept_gold|gold_check_rate|relation_min_gold)": ?[\w.]+', "",
                  body.decode(errors="replace"))
    text = text.replace(path, "")
    return [marker for marker in MARKERS if marker.lower() in text.lower()]


def _url(world, scene, name: str, document: Document) -> str:
    route = reverse(name, kwargs=_kwargs(world, scene, name, document))
    # The agreement page's poll asks about a job: the agreement run.
    return route + (f"?job={scene['jobs'][0].pk}" if name == "projects:agreement" else "")


def _kwargs(world, scene, name: str, document: Document) -> dict:
    values = {"project_id": world.project.pk, "document_id": document.pk,
              "label_id": world.labels["ORG"].pk, "username": OTHER,
              "version_id": scene["version"].pk, "name": "crf"}
    return {param: value for param, value in values.items() if _takes(name, param)}


ROUTES = {key: route for key, route, _ in routes()}


def _takes(name: str, param: str) -> bool:
    return f":{param}>" in ROUTES[name]


ANNOTATOR = TABLE["annotator"]
# Routes that act on a document leased to the requester: allowed for SHARED only.
LEASED = {"projects:workbench", "projects:skip", "api:annotation", "api:skip", "api:suggestions",
          "projects:document", "api:document"}
# A valid body, so the answer is about access, not the body.
WRITES = {"api:annotation": {**MINE, "status": "draft", "version": 0}}
CASES = [(name, method) for name, methods in SPEC.items() for method in methods]


def test_no_project_url_shows_an_annotator_anyone_elses_work(world, scene):
    """Every (pattern, method) of SPEC, about SHARED and HIDDEN, pages also as htmx requests:
    one scene for all of them, every problem collected."""
    annotator = world.users["annotator"]
    pages, api = page_client_for(annotator), api_client_for(annotator)
    problems, asked = {}, 0
    for name, method in CASES:
        is_api = name.startswith("api:")
        allowed = SPEC[name][method] in ANNOTATOR
        for which in ["shared", "hidden"] if _takes(name, "document_id") else ["shared"]:
            if method != "GET" and allowed and which == "shared":
                continue  # their own save and skip: the labeling tests answer those
            url = _url(world, scene, name, scene[which])
            expected = 403 if not allowed or (name in LEASED and which == "hidden") else \
                GET_OK.get(name, 200)
            for extra in [{}] if is_api else [{}, {"HX-Request": "true"}]:
                response = getattr(api if is_api else pages, method.lower())(
                    url, WRITES.get(name, {}), headers=extra,
                    **({"format": "json"} if is_api else {}))
                asked += 1
                found = _leaks(_body(response), url.split("?")[0])
                if found or response.status_code != expected:
                    problems[(name, method, which, bool(extra))] = (
                        response.status_code, expected, found)
    assert problems == {}
    assert asked > len(CASES)  # every case, some twice (both documents, htmx)


def test_what_the_annotator_sees_of_a_shared_document_did_not_change(world, scene):
    """Another annotator's submission, the gold and the gold-check mark change nothing of
    the workbench page, the annotation API or the next answer for SHARED."""
    after = _seen_of_shared(world, scene["shared"])
    for part, before in scene["before"].items():
        assert after[part] == before, part
    assert "Acme" in after["workbench"]  # the text is there: not empty pages compared
    assert '"label": "ORG"' not in after["annotation"]  # only their own PER


def test_jobs_an_annotator_did_not_start_are_403_and_show_nothing(world, scene):
    """The agreement run and the export: their status page, its htmx poll and the API."""
    annotator = world.users["annotator"]
    for job in scene["jobs"]:
        for name, client, extra in (
                ("projects:job", page_client_for(annotator), {}),
                ("projects:job", page_client_for(annotator), {"HX-Request": "true"}),
                ("api:job", api_client_for(annotator), {})):
            url = reverse(name, kwargs={"job_id": job.pk})
            response = client.get(url, headers=extra)
            assert response.status_code == 403, (job.kind, name, extra)
            assert not _leaks(_body(response), url)


def test_the_annotators_own_pages_and_the_admin_show_nothing_of_the_others(world, scene):
    """The project list (page and API), their account, the project page and API, and the
    Django admin's annotation pages (not staff: its login)."""
    annotator = world.users["annotator"]
    page, api = page_client_for(annotator), api_client_for(annotator)
    for client, url, code in (
            (page, reverse("projects:list"), 200),
            (page, reverse("projects:account"), 200),
            (api, reverse("api:projects"), 200),
            (page, reverse("admin:annotation_annotation_changelist"), 302),
            (page, reverse("admin:annotation_annotation_change",
                           args=[scene["shared"].annotations.first().pk]), 302),
            (page, reverse("admin:annotation_document_changelist"), 302)):
        response = client.get(url, follow=code == 302)
        assert response.status_code == 200, url
        if code == 302:
            assert response.redirect_chain[-1][0].startswith(reverse("admin:login"))
        assert not _leaks(_body(response), url), (url, _leaks(_body(response), url))
