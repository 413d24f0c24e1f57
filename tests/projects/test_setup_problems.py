"""A project that cannot be labelled says why, where it is configured and where labeling
would start, with a 400 naming the problem; it never fails later in a job."""

import pytest
from django.urls import reverse

from projects import services
from projects.errors import ServiceError
from projects.selectors import setup_problems
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory, UserFactory


@pytest.fixture
def bare(db):
    manager = UserFactory(username="bare-manager")
    project = services.project_create(creator=manager, name="Bare",
                                      tasks=["ner", "relations", "sentiment"], overlap=1)
    annotator = UserFactory(username="bare-annotator")
    services.member_add(project=project, username=annotator.username, role="annotator")
    return project, manager, annotator


def test_each_task_without_labels_is_a_problem_until_it_has_one(bare):
    project, _, _ = bare
    assert [p["message"] for p in setup_problems(project=project)] == [
        "The project runs named entities but has no entity labels: a manager must add one.",
        "The project runs relations but has no relation labels: a manager must add one.",
        "The project runs sentiment but has no sentiment labels: a manager must add one."]
    services.label_create(project=project, kind="entity", name="PER")
    services.label_create(project=project, kind="relation", name="knows")
    assert len(setup_problems(project=project)) == 1
    services.label_create(project=project, kind="sentiment", name="positive")
    assert setup_problems(project=project) == []


def test_next_is_a_400_naming_the_missing_labels_and_leases_nothing(bare):
    project, _, annotator = bare
    services.label_create(project=project, kind="entity", name="PER")
    services.label_create(project=project, kind="relation", name="knows")
    DocumentFactory(project=project, text="Alice")
    answer = api_client_for(annotator).get(reverse("api:next", args=[project.pk]))

    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"field": "labels", "message": (
        "The project runs sentiment but has no sentiment labels: a manager must add one.")}]
    assert not project.documents.get().assignments.exists()
    page = page_client_for(annotator).get(reverse("projects:label", args=[project.pk]))
    assert page.status_code == 400
    assert "has no sentiment labels" in page.content.decode()


def test_the_project_page_lists_the_problems_for_its_manager(bare):
    project, manager, _ = bare
    page = page_client_for(manager).get(reverse("projects:detail", args=[project.pk]))
    assert 'id="setup-problems"' in page.content.decode()
    for kind in ("entity", "relation", "sentiment"):
        if kind == "relation":
            services.label_create(project=project, kind="entity", name="PER")
        services.label_create(project=project, kind=kind, name=kind)
    page = page_client_for(manager).get(reverse("projects:detail", args=[project.pk]))
    assert 'id="setup-problems"' not in page.content.decode()


def test_a_relation_label_needs_an_entity_label_first(bare):
    project, manager, _ = bare
    answer = api_client_for(manager).post(reverse("api:labels", args=[project.pk]),
                                          {"kind": "relation", "name": "knows"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "kind"
    assert not project.labels.exists()


def test_the_last_entity_label_stays_while_relation_labels_need_it(bare):
    project, _, _ = bare
    per = services.label_create(project=project, kind="entity", name="PER")
    knows = services.label_create(project=project, kind="relation", name="knows")
    with pytest.raises(ServiceError, match="need at least one entity label"):
        services.label_delete(label=per)
    services.label_delete(label=knows)
    services.label_delete(label=per)
    assert not project.labels.exists()
