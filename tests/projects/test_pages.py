import pytest
from django.urls import reverse

from projects.models import Label, Membership, Project
from tests.conftest import page_client_for
from tests.factories import DocumentFactory, UserFactory


def test_login_page_and_redirect_to_projects(db, client):
    UserFactory(username="ann")
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="username"' in page.content
    response = client.post(reverse("login"), {"username": "ann", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list")


def test_project_list_shows_each_role(world):
    for role in ("manager", "reviewer", "annotator", "consumer"):
        page = page_client_for(world.users[role]).get(reverse("projects:list"))
        assert f'data-role="{role}"'.encode() in page.content
        assert b"News" in page.content
    outsider = page_client_for(world.users["outsider"]).get(reverse("projects:list"))
    assert b"News" not in outsider.content


def test_body_carries_csrf_for_htmx_and_the_bundled_htmx(world):
    page = page_client_for(world.users["manager"]).get(reverse("projects:list"))
    assert b'hx-headers=\'{"X-CSRFToken": "' in page.content
    assert b"/static/django_htmx/htmx-2.min.js" in page.content


def test_staff_creates_project_on_the_page(db):
    staff = UserFactory(username="boss", is_staff=True)
    client = page_client_for(staff)
    assert client.get(reverse("projects:create")).status_code == 200
    response = client.post(reverse("projects:create"), {
        "name": "Reviews", "tasks": ["ner", "sentiment"], "overlap": 2,
        "sentiment_scale": "ordinal", "pii_policy": "flag", "lease_minutes": 30,
        "gold_check_rate": 0})
    project = Project.objects.get(name="Reviews")
    assert response["Location"] == reverse("projects:labels", kwargs={"project_id": project.pk})
    assert project.tasks == ["ner", "sentiment"]
    assert project.pii_policy == "flag"
    assert Membership.objects.get(project=project).role == "manager"


def test_non_staff_cannot_open_create_page(db):
    assert page_client_for(UserFactory()).get(reverse("projects:create")).status_code == 403


def test_add_and_edit_label_on_the_page(world):
    client = page_client_for(world.users["manager"])
    url = reverse("projects:labels", kwargs={"project_id": world.project.pk})
    response = client.post(url, {"kind": "relation", "name": "ceo_of", "color": "#aa3377",
                                 "shortcut": "c", "head_labels": [world.labels["PER"].pk],
                                 "tail_labels": [world.labels["ORG"].pk], "directed": "on"})
    assert response.status_code == 302
    label = Label.objects.get(name="ceo_of")
    assert [lb.name for lb in label.head_labels.all()] == ["PER"]
    edit = reverse("projects:label-edit", kwargs={"project_id": world.project.pk,
                                                  "label_id": label.pk})
    row = client.get(edit, HTTP_HX_REQUEST="true")
    assert row.content.lstrip().startswith(b'<tr id="label-')
    assert b"<html" not in row.content
    saved = client.post(edit, {"name": "chief_of", "color": "#aa3377", "shortcut": "x",
                               "order": 3, "head_labels": [world.labels["PER"].pk]},
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert b"chief_of" in saved.content
    label.refresh_from_db()
    assert (label.name, label.shortcut, label.order, label.kind) == ("chief_of", "x", 3,
                                                                     "relation")
    assert list(label.tail_labels.all()) == []


def test_label_errors_show_on_the_form(world):
    client = page_client_for(world.users["manager"])
    url = reverse("projects:labels", kwargs={"project_id": world.project.pk})
    response = client.post(url, {"kind": "entity", "name": "PER", "color": "#000000"})
    assert response.status_code == 400
    assert b"The name PER is taken by another entity label" in response.content


def test_members_page_add_and_change_role(world):
    UserFactory(username="newbie")
    client = page_client_for(world.users["manager"])
    url = reverse("projects:members", kwargs={"project_id": world.project.pk})
    assert client.post(url, {"username": "newbie", "role": "annotator"}).status_code == 302
    role_url = reverse("projects:member-role", kwargs={"project_id": world.project.pk,
                                                       "username": "newbie"})
    assert client.post(role_url, {"role": "reviewer"}).status_code == 302
    assert Membership.objects.get(user__username="newbie").role == "reviewer"
    ghost = client.post(url, {"username": "ghost", "role": "annotator"})
    assert ghost.status_code == 400
    assert b"No user named ghost" in ghost.content


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[x](javascript:alert(1))",
])
def test_guidelines_are_sanitized(world, payload):
    client = page_client_for(world.users["manager"])
    url = reverse("projects:guidelines", kwargs={"project_id": world.project.pk})
    client.post(url, {"guidelines": f"# Rules\n\n{payload}\n\n**Bold**"})
    page = page_client_for(world.users["annotator"]).get(
        reverse("projects:detail", kwargs={"project_id": world.project.pk})).content
    assert b"<h1>Rules</h1>" in page
    assert b"<strong>Bold</strong>" in page
    assert b"<script>alert" not in page
    assert b"onerror" not in page
    assert b"javascript:" not in page


def test_guidelines_preview_fragment(world):
    client = page_client_for(world.users["manager"])
    url = reverse("projects:guidelines-preview", kwargs={"project_id": world.project.pk})
    fragment = client.post(url, {"guidelines": "*hi*"}, HTTP_HX_REQUEST="true")
    assert fragment.content.strip() == b'<div id="preview" class="prose"><p><em>hi</em></p></div>'


def test_documents_page_filters_with_htmx_fragment(world):
    DocumentFactory(project=world.project, text="Reviewed text ✓", status="reviewed")
    client = page_client_for(world.users["reviewer"])
    url = reverse("projects:documents", kwargs={"project_id": world.project.pk})
    full = client.get(url)
    assert b"<html" in full.content
    assert b"Reviewed text" in full.content
    fragment = client.get(url, {"status": "new"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    assert b"Reviewed text" not in fragment.content
    assert "阿里巴巴".encode() in fragment.content


def test_delete_needs_the_name_typed(world):
    client = page_client_for(world.users["manager"])
    url = reverse("projects:delete", kwargs={"project_id": world.project.pk})
    assert client.post(url, {"confirm_name": "nope"}).status_code == 400
    assert Project.objects.get(pk=world.project.pk).deleted_at is None


def test_language_switch_to_chinese(world):
    client = page_client_for(world.users["manager"])
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert b'lang="zh-hans"' in page.content


def test_document_list_keyset_pages_cost_the_same_queries(world, django_assert_max_num_queries):
    from annotation.models import Document

    DocumentFactory.create_batch(120, project=world.project)
    ids = list(Document.objects.filter(project=world.project).order_by("id")
               .values_list("id", flat=True))
    client = page_client_for(world.users["consumer"])
    url = reverse("projects:documents", kwargs={"project_id": world.project.pk})
    first = client.get(url)
    assert first.context["page"].next_after == str(ids[49])
    assert first.context["page"].prev_before is None
    with django_assert_max_num_queries(8):  # session, user, project and role, page, labels
        second = client.get(url, {"after": ids[49]})
    assert [d.pk for d in second.context["page"].documents] == ids[50:100]
    assert second.context["page"].prev_before == str(ids[50])
    back = client.get(url, {"before": ids[50]})
    assert [d.pk for d in back.context["page"].documents] == ids[:50]
    last = client.get(url, {"after": ids[99]}).context["page"]
    assert [d.pk for d in last.documents] == ids[100:]
    assert last.next_after is None
    bad = client.get(url, {"after": "x"})  # bad input: a 400 that names it
    assert bad.status_code == 400
    assert "not a cursor of this list" in bad.content.decode()
