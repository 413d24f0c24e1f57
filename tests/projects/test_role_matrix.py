"""The access matrix: every URL pattern of the urlconf x every method it accepts x every actor.

The expectations are in tests/projects/role_spec.py, written out independently of
projects.permissions. A pattern without an entry there fails the suite, and so does an entry
for a pattern that no longer exists. docs/permissions.md says what is covered.
"""

import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import resolve, reverse
from rest_framework.authtoken.models import Token

from annotation.models import Annotation, Relation, SentimentChoice, Span
from annotation.services.imports.identities import imported_identities
from projects import services
from projects.models import AuditEvent, Job, Project
from tests.conftest import api_client_for, page_client_for
from tests.factories import PASSWORD, AssignmentFactory, UserFactory, VersionFactory
from tests.projects.role_spec import (
    ACTORS,
    ADMIN_ACTORS,
    ADMIN_SITE,
    EXCEPTIONS,
    GET_OK,
    GLOBAL,
    GLOBAL_ACTORS,
    INDEX_LISTS_MODELS,
    JOB_RIGHTS,
    JOBS,
    PAGE_LOGIN,
    SPEC,
    TABLE,
    admin_entry,
    admin_spec,
    is_admin,
    routes,
)

ROUTES = {key: route for key, route, _ in routes()}
VIEWS = {key: pattern.callback for key, _, pattern in routes()}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Patterns that match anything: a path that reaches them.
SAMPLE_PATHS = {"api:not-found": "/api/v1/no-such-endpoint/",
                "admin/(?P<url>.*)$": "/admin/no-such-page/"}
QUERIES = {"admin:autocomplete": {"app_label": "projects", "model_name": "membership",
                                  "field_name": "user"}}


def test_every_url_has_a_spec_entry():
    found = [key for key, _, _ in routes()]
    assert len(found) == len(set(found)), "two patterns share a key"
    keys = set(found)
    admin_keys = {key for key, route, _ in routes() if is_admin(route)}
    scoped = {key for key, route, _ in routes() if "<int:project_id>" in route}
    assert scoped, "the urlconf walk found no project-scoped URL"
    assert {key for key in admin_keys if admin_entry(key) is None} == set(), (
        "no rule in role_spec.admin_entry for these admin patterns")
    assert scoped - SPEC.keys() == set(), "add these project-scoped URLs to SPEC"
    assert keys - admin_keys - scoped - GLOBAL.keys() == set(), "add these URLs to GLOBAL"
    assert GLOBAL.keys() & scoped == set(), "project-scoped URLs belong in SPEC"
    gone = (SPEC.keys() | GLOBAL.keys() | ADMIN_SITE.keys()) - keys
    gone |= {model for model in EXCEPTIONS if f"admin:{model}_changelist" not in keys}
    assert gone == set(), "entries for URLs that no longer exist"


@pytest.fixture
def actors(world) -> dict:
    """Everyone the global and admin URLs are asked by: world's users, an admin, staff
    without any permission (the admin's URLs only), and nobody."""
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    staff = UserFactory(username="staff", is_staff=True)
    assert not staff.get_all_permissions()
    return {"anonymous": None, **world.users, "admin": admin_user, "staff": staff}


def _object_pk(app: str, model: str):
    row = apps.get_model(app, model)._default_manager.first()
    assert row is not None, f"admin_rows makes no {app}.{model} for the admin's object URLs"
    return row.pk


def _kwargs(key: str, world) -> dict:
    route = ROUTES[key]
    if key == "admin:view_on_site":
        return {"content_type_id": ContentType.objects.get_for_model(Project).pk,
                "object_id": world.project.pk}
    kwargs = {}
    if "<int:project_id>" in route:
        kwargs["project_id"] = world.project.pk
    if "<int:label_id>" in route:
        kwargs["label_id"] = world.labels["PER"].pk
    if "<str:username>" in route:
        kwargs["username"] = world.users["annotator"].username
    if "<int:document_id>" in route:
        kwargs["document_id"] = world.document.pk
    if "<str:name>" in route:  # an agent
        kwargs["name"] = "crf"
    if "<int:version_id>" in route:
        kwargs["version_id"] = VersionFactory(project=world.project).pk
    if "<int:job_id>" in route:
        kwargs["job_id"] = Job.objects.create(project=world.project, kind="import",
                                              created_by=world.users["manager"]).pk
    if "(?P<app_label>" in route:
        kwargs["app_label"] = "projects"
    if match := re.match(r"admin/(\w+)/(\w+)/<(path:object_id|id)>/", route):
        kwargs[match[3].removeprefix("path:")] = _object_pk(match[1], match[2])
    return kwargs


def _url(key: str, world) -> str:
    if key in SAMPLE_PATHS:
        return SAMPLE_PATHS[key]
    kwargs = _kwargs(key, world)
    if key != ROUTES[key]:
        return reverse(key, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), ROUTES[key])


_HANDLERS: dict = {}


def _client(user, *, api: bool):
    """conftest's clients, sharing one request handler: loading the middleware costs some
    50 ms a client, most of a cell's time. (So no force_authenticate(): it sets the handler.)"""
    client = api_client_for(user) if api else page_client_for(user)
    client.handler = _HANDLERS.setdefault(api, client.handler)
    return client


def _ask(user, method: str, url: str, *, api: bool, data=None):
    client = _client(user, api=api)
    return getattr(client, method.lower())(url, data, **({"format": "json"} if api else {}))


def _mismatch(response, answer) -> str | None:
    code, target = answer if isinstance(answer, tuple) else (answer, None)
    if response.status_code != code:
        return f"expected {code}, got {response.status_code}: {response.content[:200]!r}"
    if target and resolve(urlsplit(response["Location"]).path).view_name != target:
        return f"expected a redirect to {target}, got {response['Location']}"
    return None


# --- project-scoped URLs: DESIGN.md's role table ------------------------------------------

CASES = [(name, method, actor) for name, methods in SPEC.items() for method in methods
         for actor in ACTORS]


@pytest.mark.parametrize(("name", "method", "actor"), CASES)
def test_role_table(world, media, name, method, actor):
    user = None if actor == "anonymous" else world.users[actor]
    if actor in TABLE and "label" in TABLE[actor] and name != "projects:label":
        # Labeling routes act on a document leased to the requester.
        AssignmentFactory(document=world.document, annotator=user)
    is_api = name.startswith("api:")
    response = _ask(user, method, _url(name, world), api=is_api)
    right = SPEC[name][method]
    if actor == "anonymous":
        assert response.status_code == (401 if is_api else 302)
        if not is_api:
            assert response["Location"].startswith(reverse("login"))
    elif actor == "outsider":
        assert response.status_code == 404
    elif right not in TABLE[actor]:
        assert response.status_code == 403
    elif method == "GET":
        assert response.status_code == GET_OK.get(name, 200), response.content[:300]
    else:
        # Allowed writes with an empty body: a validation error, a redirect, or success.
        assert response.status_code not in (401, 403, 404, 405), response.content[:300]
        assert response.status_code < 500
    if is_api:
        assert response.status_code < 300 or set(response.json()) == {"detail", "errors"}


# --- every other URL: the answers written out per actor -----------------------------------

GLOBAL_CASES = [(key, method, actor) for key, methods in GLOBAL.items()
                for method, answers in methods.items() if answers != JOBS
                for actor in GLOBAL_ACTORS]


@pytest.mark.parametrize(("key", "method", "actor"), GLOBAL_CASES)
def test_global_urls(world, actors, key, method, actor):
    user = actors[actor]
    data = None
    if key == "api:token":
        data = {"username": (user or actors["outsider"]).username, "password": PASSWORD}
    is_api = key.startswith("api:")
    response = _ask(user, method, _url(key, world), api=is_api, data=data)
    assert not (problem := _mismatch(response, GLOBAL[key][method][actor])), problem
    if is_api and response.status_code >= 400:
        assert set(response.json()) == {"detail", "errors"}
    if key == "api:token":
        assert response.json() == {"token": Token.objects.get(user=user or actors["outsider"]).key}


JOB_CASES = [(name, kind, actor) for name, methods in GLOBAL.items() if methods == {"GET": JOBS}
             for kind in JOB_RIGHTS for actor in GLOBAL_ACTORS]


@pytest.mark.parametrize(("name", "kind", "actor"), JOB_CASES)
def test_job_status(world, actors, name, kind, actor):
    """A job belongs to a project: its creator follows it, other members need its right."""
    user = actors[actor]
    other_manager = UserFactory(username="second-manager")
    services.member_add(project=world.project, username=other_manager.username, role="manager")
    job = Job.objects.create(project=world.project, kind="import" if kind == "own" else kind,
                             created_by=user if kind == "own" else other_manager)
    is_api = name.startswith("api:")
    if actor == "anonymous":
        answer = 401 if is_api else PAGE_LOGIN
    elif kind == "own" or actor == "admin":
        answer = 200
    elif actor == "outsider":
        answer = 404
    else:
        answer = 200 if JOB_RIGHTS[kind] in TABLE[actor] else 403
    response = _ask(user, "GET", reverse(name, kwargs={"job_id": job.pk}), api=is_api)
    assert not (problem := _mismatch(response, answer)), problem
    if is_api:
        body = response.json()
        expected = ({"id", "kind", "status", "progress", "message", "result", "errors"}
                    if answer == 200 else {"detail", "errors"})
        assert expected <= set(body), body


def test_a_missing_job_and_someone_elses_job_answer_the_same_404(world):
    job = Job.objects.create(project=world.project, kind="import",
                             created_by=world.users["manager"])
    outsider = api_client_for(world.users["outsider"])
    theirs = outsider.get(reverse("api:job", kwargs={"job_id": job.pk}))
    missing = outsider.get(reverse("api:job", kwargs={"job_id": job.pk + 999}))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


# --- the Django admin: its own patterns, staff only ---------------------------------------


@pytest.fixture
def admin_rows(world):
    """A row of every model the admin registers, for its change, delete and history URLs."""
    manager, annotator = world.users["manager"], world.users["annotator"]
    Group.objects.create(name="editors")
    Token.objects.create(user=world.users["consumer"])
    access = {"username": "someone", "ip_address": "10.0.0.1", "user_agent": "test",
              "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**access, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**access)
    AccessFailureLog.objects.create(**access, locked_out=False)
    Job.objects.create(project=world.project, kind="import", created_by=manager)
    AuditEvent.objects.create(project=world.project, actor=manager, action="member_add",
                              target=annotator.username)
    annotation = Annotation.objects.create(project=world.project, document=world.document,
                                           annotator=annotator)
    head = Span.objects.create(annotation=annotation, start=0, end=5, label=world.labels["PER"])
    tail = Span.objects.create(annotation=annotation, start=13, end=17,
                               label=world.labels["ORG"])
    Relation.objects.create(annotation=annotation, head=head, tail=tail,
                            label=world.labels["works_for"])
    SentimentChoice.objects.create(annotation=annotation, label=world.labels["positive"])
    AssignmentFactory(document=world.document, annotator=annotator)
    imported_identities(project=world.project, names=["imported-alice"])


def test_admin_rows_cover_every_registered_model(admin_rows):
    empty = [model._meta.label for model in admin.site._registry
             if not model._default_manager.exists()]
    assert empty == []


ADMIN_SPEC = admin_spec()
ADMIN_CASES = [(key, method) for key, entry in ADMIN_SPEC.items() if entry for method in entry]


@pytest.mark.parametrize(("key", "method"), ADMIN_CASES)
def test_admin(world, actors, admin_rows, key, method):
    """Each admin URL and method, asked by every actor (one cell, to keep the count sane).
    The index lists every registered model's changelist and add page to the admin, and none
    to staff without permissions."""
    url = _url(key, world)
    assert set(ADMIN_SPEC[key][method]) == set(ADMIN_ACTORS)
    # Each registered model's changelist and add page, but the add page of a read-only admin.
    keys = [f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry]
    links = [reverse(f"admin:{model}_{view}") for model in keys for view in ("changelist", "add")
             if EXCEPTIONS.get(model, {}).get((view, "GET")) != 403]
    mismatches = {}
    for actor, answer in ADMIN_SPEC[key][method].items():
        response = _ask(actors[actor], method, url, api=False, data=QUERIES.get(key))
        if problem := _mismatch(response, answer):
            mismatches[actor] = problem
        elif key == "admin:index" and actor in INDEX_LISTS_MODELS:
            body = response.content.decode()
            listed = [link for link in links if f'href="{link}"' in body]
            expected = links if INDEX_LISTS_MODELS[actor] else []
            if listed != expected:
                mismatches[actor] = f"the index lists {listed}, expected {expected}"
    assert mismatches == {}


# --- API routes: the methods a route does not accept ---------------------------------------

API_NAMES = [key for key in [*SPEC, *GLOBAL] if key.startswith("api:") and key != "api:not-found"]


@pytest.mark.parametrize("name", API_NAMES)
def test_api_methods(world, media, name):
    """The spec lists exactly the methods the view implements; the others answer a JSON 405
    to a member who may view the project."""
    view = VIEWS[name].cls
    accepted = {method for method in METHODS if hasattr(view, method.lower())}
    assert accepted == set(SPEC.get(name) or GLOBAL[name])
    url = _url(name, world)
    for method in sorted(set(METHODS) - accepted):
        response = _ask(world.users["annotator"], method, url, api=True)
        assert response.status_code == 405, (method, response.content[:200])
        assert response.json() == {"detail": f'Method "{method}" not allowed.', "errors": []}


# --- more about the 404s -------------------------------------------------------------------


def test_non_member_cannot_tell_a_project_exists(world, client):
    """A missing project and someone else's project answer the same 404."""
    outsider = api_client_for(world.users["outsider"])
    theirs = outsider.get(reverse("api:project", kwargs={"project_id": world.project.pk}))
    missing = outsider.get(reverse("api:project", kwargs={"project_id": world.project.pk + 999}))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_deleted_project_is_404_for_its_own_manager(world):
    world.project.deleted_at = world.project.created_at
    world.project.save()
    manager = api_client_for(world.users["manager"])
    assert manager.get(reverse("api:project", kwargs={"project_id": world.project.pk})
                       ).status_code == 404
