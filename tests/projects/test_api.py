import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from projects.models import Label, Membership, Project, Role
from tests.conftest import api_client_for
from tests.factories import PASSWORD, UserFactory


def test_token_auth_round_trip(db):
    user = UserFactory(username="ml-engineer")
    client = api_client_for(None)
    response = client.post("/api/v1/auth/token/", {"username": user.username,
                                                   "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/projects/").status_code == 200


def test_bad_credentials_use_the_error_shape(db):
    response = api_client_for(None).post("/api/v1/auth/token/",
                                         {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_anonymous_gets_401_json(db):
    response = api_client_for(None).get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.",
                               "errors": []}


def test_unknown_api_path_is_json_404(db):
    response = api_client_for(None).get("/api/v1/no/such/thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_staff_creates_project_and_becomes_manager(db):
    staff = UserFactory(username="staff", is_staff=True)
    body = {"name": "Clinical notes", "description": "d", "guidelines": "# Rules",
            "tasks": ["ner", "sentiment"], "overlap": 3, "allow_overlapping_spans": True,
            "sentiment_multi_label": True, "sentiment_scale": "ordinal", "pii_policy": "mask"}
    response = api_client_for(staff).post("/api/v1/projects/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in body} == body
    assert data["role"] == "manager"
    assert Membership.objects.get(project_id=data["id"], user=staff).role == Role.MANAGER


def test_non_staff_cannot_create_projects(db, settings):
    user = UserFactory()
    response = api_client_for(user).post("/api/v1/projects/", {"name": "x"}, format="json")
    assert response.status_code == 403
    settings.CONCORD_PROJECT_CREATORS = "any"
    assert api_client_for(user).post("/api/v1/projects/", {"name": "x"},
                                     format="json").status_code == 201


def test_project_validation_errors_name_the_field(db):
    staff = UserFactory(is_staff=True)
    response = api_client_for(staff).post(
        "/api/v1/projects/", {"name": "x", "tasks": ["ner", "poetry"], "overlap": 0},
        format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"tasks[1]", "overlap"} <= fields


def test_relations_need_ner(db):
    staff = UserFactory(is_staff=True)
    response = api_client_for(staff).post("/api/v1/projects/", {"name": "x",
                                          "tasks": ["relations"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "tasks"


def test_project_list_shows_only_my_projects_with_role(world):
    other = Project.objects.create(name="Secret")
    data = api_client_for(world.users["consumer"]).get("/api/v1/projects/").json()
    assert [(p["name"], p["role"]) for p in data["results"]] == [("News", "consumer")]
    assert other.pk not in [p["id"] for p in data["results"]]


def test_manager_patches_project(world):
    url = reverse("api:project", kwargs={"project_id": world.project.pk})
    response = api_client_for(world.users["manager"]).patch(url, {"overlap": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["overlap"] == 3
    world.project.refresh_from_db()
    assert world.project.overlap == 3


def test_label_crud_with_head_tail_rules(world):
    client = api_client_for(world.users["manager"])
    url = reverse("api:labels", kwargs={"project_id": world.project.pk})
    loc = client.post(url, {"kind": "entity", "name": "LOC", "color": "#2ca02c",
                            "shortcut": "l"}, format="json")
    assert loc.status_code == 201
    rel = client.post(url, {"kind": "relation", "name": "based_in", "head_labels": ["ORG"],
                            "tail_labels": ["LOC"], "directed": True}, format="json")
    assert rel.status_code == 201, rel.json()
    assert rel.json()["head_labels"] == ["ORG"]
    assert rel.json()["tail_labels"] == ["LOC"]
    detail = reverse("api:label", kwargs={"project_id": world.project.pk,
                                          "label_id": rel.json()["id"]})
    patched = client.patch(detail, {"tail_labels": ["LOC", "ORG"], "order": 5}, format="json")
    assert sorted(patched.json()["tail_labels"]) == ["LOC", "ORG"]
    assert patched.json()["order"] == 5
    assert client.delete(detail).status_code == 204
    assert not Label.objects.filter(pk=rel.json()["id"]).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "entity", "name": "PER"}, "name"),
    ({"kind": "entity", "name": "X", "shortcut": "p"}, "shortcut"),
    ({"kind": "entity", "name": "X", "color": "red"}, "color"),
    ({"kind": "relation", "name": "r", "head_labels": ["NOPE"]}, "head_labels"),
    ({"kind": "entity", "name": "X", "head_labels": ["PER"]}, "head_labels"),
    ({"kind": "entity", "name": "X", "value": 2}, "value"),
    ({"kind": "mood", "name": "X"}, "kind"),
])
def test_label_validation(world, body, field):
    url = reverse("api:labels", kwargs={"project_id": world.project.pk})
    response = api_client_for(world.users["manager"]).post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_label_in_use_cannot_be_deleted(world):
    from annotation.services import annotation_save

    annotation_save(document=world.document, annotator=world.users["annotator"],
                    content={"entities": [{"start": 0, "end": 5, "label": "PER"}]})
    url = reverse("api:label", kwargs={"project_id": world.project.pk,
                                       "label_id": world.labels["PER"].pk})
    response = api_client_for(world.users["manager"]).delete(url)
    assert response.status_code == 409
    assert "PER" in response.json()["detail"]


def test_member_crud(world):
    client = api_client_for(world.users["manager"])
    newcomer = UserFactory(username="newcomer")
    url = reverse("api:members", kwargs={"project_id": world.project.pk})
    added = client.post(url, {"username": "newcomer", "role": "reviewer"}, format="json")
    assert added.status_code == 201
    assert added.json()["username"] == "newcomer"
    assert added.json()["role"] == "reviewer"
    again = client.post(url, {"username": "newcomer", "role": "annotator"}, format="json")
    assert again.status_code == 409
    missing = client.post(url, {"username": "ghost", "role": "annotator"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "username"
    detail = reverse("api:member", kwargs={"project_id": world.project.pk,
                                           "username": "newcomer"})
    assert client.patch(detail, {"role": "consumer"}, format="json").json()["role"] == "consumer"
    assert client.delete(detail).status_code == 204
    assert not Membership.objects.filter(user=newcomer).exists()


def test_last_manager_cannot_leave_or_be_demoted(world):
    client = api_client_for(world.users["manager"])
    detail = reverse("api:member", kwargs={"project_id": world.project.pk,
                                           "username": world.users["manager"].username})
    assert client.patch(detail, {"role": "annotator"}, format="json").status_code == 409
    assert client.delete(detail).status_code == 409
    assert Membership.objects.get(user=world.users["manager"]).role == Role.MANAGER


def test_documents_list_is_cursor_paginated_and_filtered(world):
    from tests.factories import DocumentFactory

    DocumentFactory.create_batch(5, project=world.project)
    DocumentFactory(project=world.project, status="reviewed")
    client = api_client_for(world.users["consumer"])
    url = reverse("api:documents", kwargs={"project_id": world.project.pk})
    first = client.get(url, {"page_size": 4}).json()
    assert len(first["results"]) == 4
    assert first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 3
    reviewed = client.get(url, {"status": "reviewed"}).json()["results"]
    assert [d["status"] for d in reviewed] == ["reviewed"]
    bad = client.get(url, {"status": "done"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"


def test_schema_describes_the_routes(db):
    response = api_client_for(None).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in ("/api/v1/auth/token/", "/api/v1/projects/", "/api/v1/projects/{project_id}/",
                  "/api/v1/projects/{project_id}/labels/", "/api/v1/projects/{project_id}/members/",
                  "/api/v1/jobs/{job_id}/", "/api/v1/projects/{project_id}/documents/"):
        assert route in paths
    docs = api_client_for(None).get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
