"""The role table of DESIGN.md, walked for every project-scoped URL in the urlconf.

The table below is written out independently of projects.permissions, so a wrong entry
in the code is caught. A project-scoped URL missing from SPEC fails the suite.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory, VersionFactory

# DESIGN.md's table, plus BROWSE (listing documents) and PROGRESS (the progress dashboard),
# documented in docs/permissions.md.
TABLE = {
    "manager": {"view", "manage", "label", "browse", "see_others", "adjudicate", "agreement",
                "export", "progress"},
    "reviewer": {"view", "label", "browse", "see_others", "adjudicate", "agreement",
                 "progress"},
    "annotator": {"view", "label"},
    "consumer": {"view", "browse", "agreement", "export", "progress"},
}

# URL name -> {method: right}. Every project-scoped route must appear here.
SPEC = {
    "projects:detail": {"GET": "view"},
    "projects:settings": {"GET": "manage", "POST": "manage"},
    "projects:guidelines": {"GET": "manage", "POST": "manage"},
    "projects:guidelines-preview": {"POST": "manage"},
    "projects:delete": {"GET": "manage", "POST": "manage"},
    "projects:labels": {"GET": "manage", "POST": "manage"},
    "projects:label-edit": {"GET": "manage", "POST": "manage"},
    "projects:label-delete": {"POST": "manage"},
    "projects:members": {"GET": "manage", "POST": "manage"},
    "projects:member-role": {"POST": "manage"},
    "projects:member-remove": {"POST": "manage"},
    "projects:audit": {"GET": "manage"},
    "projects:documents": {"GET": "browse"},
    "projects:import": {"GET": "manage", "POST": "manage"},
    "api:project": {"GET": "view", "PUT": "manage", "PATCH": "manage", "DELETE": "manage"},
    "api:labels": {"GET": "view", "POST": "manage"},
    "api:label": {"GET": "view", "PUT": "manage", "PATCH": "manage", "DELETE": "manage"},
    "api:members": {"GET": "manage", "POST": "manage"},
    "api:member": {"GET": "manage", "PATCH": "manage", "DELETE": "manage"},
    "api:documents": {"GET": "browse"},
    "api:document": {"GET": "browse"},
    "api:imports": {"POST": "manage"},
    "projects:label": {"GET": "label"},
    "projects:workbench": {"GET": "label"},
    "projects:skip": {"POST": "label"},
    "api:next": {"GET": "label"},
    "api:annotation": {"GET": "label", "PUT": "label"},
    "api:annotations": {"GET": "see_others"},
    "api:skip": {"POST": "label"},
    "projects:agreement": {"GET": "agreement", "POST": "agreement"},
    "api:agreement": {"GET": "agreement", "POST": "agreement"},
    "projects:balance": {"GET": "agreement"},
    "projects:progress": {"GET": "progress"},
    "api:progress": {"GET": "progress"},
    "projects:gold-checks": {"GET": "manage", "POST": "manage"},
    "api:gold-checks": {"GET": "manage", "POST": "manage"},
    "api:gold-check": {"DELETE": "manage"},
    "api:export": {"GET": "export"},
    "api:exports": {"GET": "export", "POST": "export"},
    "api:version": {"GET": "export", "DELETE": "manage"},
    "api:version-download": {"GET": "export"},
    "projects:exports": {"GET": "export", "POST": "export"},
    "projects:version-delete": {"POST": "manage"},
    "api:gold": {"GET": "adjudicate", "PUT": "adjudicate"},
    "projects:review": {"GET": "adjudicate"},
    "projects:adjudicate": {"GET": "adjudicate"},
}
# Allowed GETs that answer something other than 200: "start labeling" redirects to the
# document it leases.
GET_OK = {"projects:label": 302}
ACTORS = ["anonymous", "outsider", "manager", "reviewer", "annotator", "consumer"]


def _routes(resolver=None, prefix="", namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def project_scoped_names() -> set[str]:
    return {name for name, route in _routes() if "<int:project_id>" in route}


def test_every_project_scoped_url_has_a_spec_entry():
    names = project_scoped_names()
    assert names, "the urlconf walk found no project-scoped URL"
    assert names - SPEC.keys() == set(), "add these URLs to SPEC with the right they need"
    assert SPEC.keys() - names == set(), "SPEC names URLs that no longer exist"


def _kwargs(name: str, world) -> dict:
    route = dict(_routes())[name]
    kwargs = {"project_id": world.project.pk}
    if "<int:label_id>" in route:
        kwargs["label_id"] = world.labels["PER"].pk
    if "<str:username>" in route:
        kwargs["username"] = world.users["annotator"].username
    if "<int:document_id>" in route:
        kwargs["document_id"] = world.document.pk
    if "<int:version_id>" in route:
        kwargs["version_id"] = VersionFactory(project=world.project).pk
    return kwargs


CASES = [(name, method, actor) for name, methods in SPEC.items() for method in methods
         for actor in ACTORS]


@pytest.mark.parametrize(("name", "method", "actor"), CASES)
def test_role_table(world, media, name, method, actor):
    user = None if actor == "anonymous" else world.users[actor]
    if actor in TABLE and "label" in TABLE[actor] and name != "projects:label":
        # Labeling routes act on a document leased to the requester.
        AssignmentFactory(document=world.document, annotator=user)
    is_api = name.startswith("api:")
    client = api_client_for(user) if is_api else page_client_for(user)
    url = reverse(name, kwargs=_kwargs(name, world))
    response = getattr(client, method.lower())(url, **({"format": "json"} if is_api else {}))
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
