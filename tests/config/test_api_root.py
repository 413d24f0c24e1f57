"""`/api/v1/` is the API's root: links to the schema, the docs, projects, jobs and the token,
to anyone (it reveals nothing), and it is in the schema."""

import pytest
from django.urls import resolve, reverse

from tests.conftest import api_client_for

ROOT = "/api/v1/"


@pytest.mark.django_db
def test_the_api_root_links_to_where_a_client_starts():
    response = api_client_for(None).get(ROOT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    links = response.json()
    base = "http://testserver"
    assert links == {"schema": base + reverse("api:schema"), "docs": base + reverse("api:docs"),
                     "auth_token": base + reverse("api:token"),
                     "projects": base + reverse("api:projects"),
                     "jobs": base + ROOT + "jobs/{job_id}/"}
    assert resolve(links["jobs"].removeprefix(base).format(job_id=7)).url_name == "job"


@pytest.mark.django_db
def test_the_links_answer(world):
    links = api_client_for(None).get(ROOT).json()
    client = api_client_for(world.users["manager"])
    assert client.get(links["schema"]).status_code == 200
    assert client.get(links["docs"]).status_code == 200
    assert client.get(links["projects"]).json()["count"] == 1


@pytest.mark.django_db
def test_the_api_root_is_in_the_schema():
    schema = api_client_for(None).get(reverse("api:schema"), {"format": "json"},
                                      HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"][ROOT]["get"]
    assert operation["operationId"] == "api_root"
    assert "200" in operation["responses"]
