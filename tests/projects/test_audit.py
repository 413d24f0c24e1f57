"""The audit log: who changed roles and members, imported, exported, deleted versions."""

import pytest
from django.urls import reverse

from annotation.models import DatasetVersion
from projects.models import AuditAction, AuditEvent
from projects.selectors import AUDIT_PAGE_SIZE
from projects.services.audit import audit_record
from tests.annotation.services.imports.conftest import imports  # noqa: F401 (a fixture)
from tests.annotation.services.imports.test_jobs import jsonl
from tests.conftest import api_client_for, page_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def events(world, action, **where):
    return list(AuditEvent.objects.filter(project=world.project, action=action, **where))


def test_member_add_role_change_and_removal_through_the_api(world):
    manager = world.users["manager"]
    client = api_client_for(manager)
    UserFactory(username="newcomer")
    members = reverse("api:members", kwargs={"project_id": world.project.pk})
    assert client.post(members, {"username": "newcomer", "role": "annotator"},
                       format="json").status_code == 201
    member = reverse("api:member", kwargs={"project_id": world.project.pk,
                                           "username": "newcomer"})
    assert client.patch(member, {"role": "reviewer"}, format="json").status_code == 200
    assert client.delete(member).status_code == 204
    [added] = events(world, AuditAction.MEMBER_ADD, target="newcomer")
    [changed] = events(world, AuditAction.ROLE_CHANGE)
    [removed] = events(world, AuditAction.MEMBER_REMOVE)
    assert (added.actor, added.target, added.data) == (manager, "newcomer", {"role": "annotator"})
    assert changed.data == {"from": "annotator", "to": "reviewer"}
    assert changed.actor == manager
    assert (removed.target, removed.data) == ("newcomer", {"role": "reviewer"})


def test_a_refused_change_records_nothing(world):
    """Demoting the last manager is refused, and the audit row rolls back with it."""
    client = api_client_for(world.users["manager"])
    member = reverse("api:member", kwargs={"project_id": world.project.pk,
                                           "username": world.users["manager"].username})
    assert client.patch(member, {"role": "annotator"}, format="json").status_code == 409
    assert events(world, AuditAction.ROLE_CHANGE) == []


def test_role_change_on_the_members_page(world):
    page = page_client_for(world.users["manager"])
    url = reverse("projects:member-role", kwargs={"project_id": world.project.pk,
                                                  "username": "annotator-user"})
    assert page.post(url, {"role": "consumer"}).status_code == 302
    [event] = events(world, AuditAction.ROLE_CHANGE)
    assert event.actor == world.users["manager"]
    assert event.data == {"from": "annotator", "to": "consumer"}


def test_a_succeeded_import_is_recorded_and_a_failed_one_is_not(world, imports):  # noqa: F811
    job = imports(jsonl({"text": "One."}, {"text": "Two."}), name="batch.jsonl")
    assert job.status == "succeeded"
    [event] = events(world, AuditAction.IMPORT)
    assert event.actor == world.users["manager"]
    assert event.target == "batch.jsonl"
    assert event.data["job"] == job.pk
    assert event.data["imported"] == 2
    failed = imports(b'{"text": 5}\n', name="bad.jsonl")
    assert failed.status == "failed"
    assert len(events(world, AuditAction.IMPORT)) == 1


def test_export_and_version_deletion(world, media, django_capture_on_commit_callbacks):
    consumer = api_client_for(world.users["consumer"])
    exports = reverse("api:exports", kwargs={"project_id": world.project.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = consumer.post(exports, {"format": "jsonl", "scope": "all", "name": "v1"},
                                 format="json")
    assert response.status_code == 202, response.content
    version = DatasetVersion.objects.get(name="v1")
    [made] = events(world, AuditAction.EXPORT)
    assert (made.actor, made.target) == (world.users["consumer"], "v1")
    assert made.data["sha256"] == version.sha256
    stored = media / version.file
    assert stored.exists()
    manager = api_client_for(world.users["manager"])
    target = reverse("api:version", kwargs={"project_id": world.project.pk,
                                            "version_id": version.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert manager.delete(target).status_code == 204
    [deleted] = events(world, AuditAction.VERSION_DELETE)
    assert (deleted.actor, deleted.target) == (world.users["manager"], "v1")
    assert deleted.data["sha256"] == version.sha256
    assert not stored.exists()


def test_the_page_lists_filters_and_pages(world):
    manager = world.users["manager"]
    for n in range(AUDIT_PAGE_SIZE + 5):
        audit_record(project=world.project, actor=manager, action=AuditAction.IMPORT,
                     target=f"file-{n}.jsonl")
    audit_record(project=world.project, actor=manager, action=AuditAction.ROLE_CHANGE,
                 target="<b>bold</b>", data={"from": "annotator", "to": "reviewer"})
    page = page_client_for(manager)
    url = reverse("projects:audit", kwargs={"project_id": world.project.pk})
    first = page.get(url).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in first
    assert "<b>bold" not in first
    assert first.count("<tr>") == AUDIT_PAGE_SIZE + 1  # the header row and one page
    assert "file-54.jsonl" in first
    assert "file-4.jsonl<" not in first
    older = page.get(url, {"page": 2}).content.decode()
    assert "file-0.jsonl" in older
    only = page.get(url, {"action": "role_change"}, headers={"HX-Request": "true"})
    body = only.content.decode()
    assert "<html" not in body
    assert "bold" in body
    assert "<td>Role changed</td>" in body  # the action's name, in the table itself
    assert "file-" not in body


def test_events_of_other_projects_are_not_shown(world):
    other = world.project.__class__.objects.create(name="Other")
    audit_record(project=other, actor=None, action=AuditAction.IMPORT, target="secret.jsonl")
    page = page_client_for(world.users["manager"])
    shown = page.get(reverse("projects:audit", kwargs={"project_id": world.project.pk}))
    assert "secret.jsonl" not in shown.content.decode()


def test_unknown_action_is_refused(world):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(project=world.project, actor=None, action="made-up")


def test_a_project_deletion_is_recorded_and_outlives_the_project(
        world, django_capture_on_commit_callbacks):
    manager = world.users["manager"]
    pk = world.project.pk
    client = api_client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(reverse("api:project", kwargs={"project_id": pk})
                             ).status_code == 202
    assert not world.project.__class__.objects.filter(pk=pk).exists()  # purged
    [event] = AuditEvent.objects.filter(action=AuditAction.PROJECT_DELETE)
    assert event.project is None
    assert (event.actor, event.target, event.data) == (manager, f"News (#{pk})", {"project": pk})
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_ADD, project=None).count() == 3
