"""Who imported annotations belong to (annotation/services/imports/identities.py, docs/imports.md,
Annotators): the member of that username, or else the project's imported identity of that
name, never another existing account; names are validated like usernames."""

import json

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotation.models import Annotation, Document, ImportedIdentity
from annotation.services.purge import project_purge
from projects import services
from projects.models import Job, Membership
from tests.conftest import api_client_for, page_client_for
from tests.factories import UserFactory

TEXT = "Alice joined ACME in 2019."


def record(*annotators: str, text: str = TEXT, id: str = "rec-1") -> dict:
    return {"id": id, "text": text,
            "annotations": [{"annotator": who, "entities": [
                {"id": "T1", "start": 0, "end": 5, "label": "PER"}], "sentiment": "positive"}
                for who in annotators]}


def jsonl(*records: dict) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Import `data` into `project` as its manager, the job run in-process; the job."""
    def go(project, manager, data: bytes, **options) -> Job:
        url = reverse("api:imports", kwargs={"project_id": project.pk})
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client_for(manager).post(
                url, {"file": SimpleUploadedFile("data.jsonl", data), **options},
                format="multipart")
        assert response.status_code == 202, response.content
        job = Job.objects.get(pk=response.json()["id"])
        return job
    return go


@pytest.fixture
def second(world):
    """Another project of the same manager, with the same labels."""
    manager = world.users["manager"]
    project = services.project_create(creator=manager, name="Other", tasks=["ner", "sentiment"])
    services.label_create(project=project, kind="entity", name="PER")
    services.label_create(project=project, kind="sentiment", name="positive")
    return project


def _owner(project, external_id: str = "rec-1") -> set[int]:
    return set(Annotation.objects.filter(document__project=project,
                                         document__external_id=external_id, kind="annotation")
               .values_list("annotator_id", flat=True))


def test_a_non_member_account_named_in_the_file_gets_nothing(world, run):
    """"annotator1" (an account, no member) and "admin" (a superuser, no member) become the
    project's imported identities; the accounts themselves receive no annotation."""
    admin = User.objects.create_superuser("admin", password="pw-for-tests-1")
    job = run(world.project, world.users["manager"], jsonl(record("outsider", "admin")))
    assert job.status == "succeeded", (job.message, job.errors)
    identities = {i.name: i.user for i in ImportedIdentity.objects.filter(project=world.project)}
    assert set(identities) == {"outsider", "admin"}
    assert _owner(world.project) == {identities["outsider"].pk, identities["admin"].pk}
    assert not Annotation.objects.filter(annotator__in=[world.users["outsider"], admin]).exists()
    for user in identities.values():
        assert not user.is_active
        assert not user.has_usable_password()
        assert user.username.endswith(f"@import-p{world.project.pk}")


def test_a_member_s_username_is_the_member(world, run):
    annotator, reviewer = world.users["annotator"], world.users["reviewer"]
    job = run(world.project, world.users["manager"],
              jsonl(record(annotator.username, reviewer.username)))
    assert job.status == "succeeded", (job.message, job.errors)
    assert _owner(world.project) == {annotator.pk, reviewer.pk}
    assert not ImportedIdentity.objects.exists()


@pytest.mark.parametrize(("name", "why"), [
    ("<img src=x onerror=alert(1)>", "letters, digits and @ . + - _ only"),
    ("a" * 300, "1 to 120 characters"),
    ("bob smith", "letters, digits and @ . + - _ only"),
])
def test_a_name_that_is_no_username_is_a_problem(world, run, name, why):
    """Refused with its line and field, as a problem: no account of that name, no raw
    DataError (a 300-character name used to fail the whole import with one)."""
    users = User.objects.count()
    job = run(world.project, world.users["manager"],
              jsonl(record("alice", id="ok"), record("carol", name, text="Bob works.")))
    assert job.status == "failed"
    [problem] = job.errors
    assert (problem["line"], problem["field"]) == (2, "annotations[1].annotator")
    assert why in problem["message"]
    assert "DataError" not in job.message
    assert "value too long" not in job.message
    assert User.objects.count() == users  # nothing stored, the good record's identity neither
    assert not ImportedIdentity.objects.exists()
    skipped = run(world.project, world.users["manager"],
                  jsonl(record("alice", id="ok"), record("carol", name, text="Bob works.")),
                  on_error="skip")
    assert skipped.status == "succeeded", (skipped.message, skipped.errors)
    assert (skipped.result["imported"], skipped.result["skipped"]) == (1, 1)
    assert set(ImportedIdentity.objects.values_list("name", flat=True)) == {"alice"}
    assert not User.objects.filter(username__startswith=name[:20]).exists()


def test_two_projects_have_separate_identities(world, second, run):
    manager = world.users["manager"]
    assert run(world.project, manager, jsonl(record("alice"))).status == "succeeded"
    assert run(second, manager, jsonl(record("alice"))).status == "succeeded"
    first = ImportedIdentity.objects.get(project=world.project, name="alice")
    other = ImportedIdentity.objects.get(project=second, name="alice")
    assert first.user_id != other.user_id
    assert _owner(world.project) == {first.user_id}
    assert _owner(second) == {other.user_id}
    # A second import into the same project reuses its identity.
    again = run(world.project, manager, jsonl(record("alice", text="Alice again.", id="rec-2")))
    assert again.status == "succeeded", again.errors
    assert _owner(world.project, "rec-2") == {first.user_id}
    assert ImportedIdentity.objects.filter(name="alice").count() == 2


def test_an_account_holding_the_reserved_username_is_left_alone(world, run):
    """Someone registered "alice@import-p<id>" first: the identity takes another username."""
    squatter = UserFactory(username=f"alice@import-p{world.project.pk}")
    job = run(world.project, world.users["manager"], jsonl(record("alice")))
    assert job.status == "succeeded", (job.message, job.errors)
    identity = ImportedIdentity.objects.get(project=world.project, name="alice")
    assert identity.user_id != squatter.pk
    assert identity.user.username == f"alice@import-p{world.project.pk}-2"
    assert not Annotation.objects.filter(annotator=squatter).exists()


def test_an_identity_cannot_log_in_or_become_a_member(world, run, second):
    assert run(world.project, world.users["manager"], jsonl(record("alice"))).status \
        == "succeeded"
    user = ImportedIdentity.objects.get(project=world.project, name="alice").user
    user.set_password("a-good-password-42")  # even with a password, it is inactive
    user.save()
    assert authenticate(username=user.username, password="a-good-password-42") is None
    token = api_client_for(None).post(reverse("api:token"), {
        "username": user.username, "password": "a-good-password-42"}, format="json")
    assert token.status_code in (400, 401)
    client = api_client_for(world.users["manager"])
    for project in (world.project, second):
        response = client.post(reverse("api:members", kwargs={"project_id": project.pk}),
                               {"username": user.username, "role": "annotator"}, format="json")
        assert response.status_code == 400, response.content
        assert "imported identity" in response.json()["errors"][0]["message"]
    assert not Membership.objects.filter(user=user).exists()


def _export(project, user) -> list[dict]:
    response = api_client_for(user).get(reverse("api:export", kwargs={"project_id": project.pk}),
                                        {"format": "jsonl", "scope": "all"})
    assert response.status_code == 200, response.content
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()
            if line.strip()]


def test_an_export_writes_the_plain_name_and_imports_again_as_it_came(world, second, run):
    manager, annotator = world.users["manager"], world.users["annotator"]
    job = run(world.project, manager, jsonl(record("alice", annotator.username)))
    assert job.status == "succeeded", job.errors
    exported = [r for r in _export(world.project, manager) if r["id"] == "rec-1"]
    assert [a["annotator"] for a in exported[0]["annotations"]] \
        == sorted(["alice", annotator.username], key=lambda n: (n != "alice", n))
    # Into another project, where the annotator is no member: both become identities there.
    again = run(second, manager, jsonl(*exported))
    assert again.status == "succeeded", (again.message, again.errors)
    assert set(ImportedIdentity.objects.filter(project=second).values_list("name", flat=True)) \
        == {"alice", annotator.username}
    [back] = _export(second, manager)
    assert sorted(a["annotator"] for a in back["annotations"]) \
        == sorted(a["annotator"] for a in exported[0]["annotations"])


def test_pages_and_the_api_mark_an_imported_identity(world, run):
    manager = world.users["manager"]
    assert run(world.project, manager, jsonl(record("alice", world.users["annotator"].username))
               ).status == "succeeded"
    doc = Document.objects.get(project=world.project, external_id="rec-1")
    listed = api_client_for(manager).get(reverse(
        "api:annotations", kwargs={"project_id": world.project.pk, "document_id": doc.pk}))
    assert listed.status_code == 200, listed.content
    names = {a["annotator"] for a in listed.json()}
    assert names == {"alice (imported)", world.users["annotator"].username}
    page = page_client_for(manager).get(reverse("projects:review",
                                                kwargs={"project_id": world.project.pk}))
    assert page.status_code == 200
    assert "alice (imported)" in page.content.decode()
    assert f"alice@import-p{world.project.pk}" not in page.content.decode()


def test_deleting_a_project_deletes_its_identities_accounts(world, second, run):
    manager = world.users["manager"]
    assert run(world.project, manager, jsonl(record("alice", "bob"))).status == "succeeded"
    assert run(second, manager, jsonl(record("alice"))).status == "succeeded"
    mine = list(ImportedIdentity.objects.filter(project=world.project)
                .values_list("user_id", flat=True))
    kept = ImportedIdentity.objects.get(project=second).user_id
    project_id = world.project.pk
    services.project_delete(project=world.project, by=manager)
    project_purge(project_id=project_id, progress=lambda *_: None)
    assert not User.objects.filter(pk__in=mine).exists()
    assert User.objects.filter(pk=kept).exists()  # the other project's identity stays
    assert User.objects.filter(pk=world.users["outsider"].pk).exists()
    assert User.objects.filter(pk=manager.pk).exists()

