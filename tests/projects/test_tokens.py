"""API tokens: obtained, created and regenerated on the account page, revoked; audited."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import AuditAction, AuditEvent
from tests.conftest import page_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def person():
    user = UserFactory(username="tess")
    user.set_password(PASSWORD)
    user.save()
    return user


def projects_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:projects")).status_code


def test_the_token_endpoint_creates_once_and_audits_once(person):
    client = APIClient()
    first = client.post(reverse("api:token"), {"username": "tess", "password": PASSWORD},
                        format="json")
    again = client.post(reverse("api:token"), {"username": "tess", "password": PASSWORD},
                        format="json")
    assert first.status_code == again.status_code == 200
    assert first.json()["token"] == again.json()["token"]
    [event] = AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATE)
    assert (event.actor, event.target, event.project) == (person, "tess", None)
    assert event.data["key_prefix"] == first.json()["token"][:4]
    wrong = client.post(reverse("api:token"), {"username": "tess", "password": "nope"},
                        format="json")
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"detail", "errors"}


def test_account_page_creates_regenerates_and_revokes(person):
    page = page_client_for(person)
    url = reverse("projects:account")
    empty = page.get(url).content.decode()
    assert "You have no API token." in empty
    assert "<code>Authorization: Token &lt;key&gt;</code>" in empty
    created = page.post(url, {"action": "create"})
    key = Token.objects.get(user=person).key
    assert key in created.content.decode()  # shown once, right after it is made
    assert key not in page.get(url).content.decode()
    assert projects_with(key) == 200
    page.post(url, {"action": "regenerate"})
    new = Token.objects.get(user=person).key
    assert new != key
    assert projects_with(key) == 401  # the replaced token stops working
    assert projects_with(new) == 200
    assert page.post(url, {"action": "revoke"}).status_code == 302
    assert not Token.objects.filter(user=person).exists()
    assert projects_with(new) == 401
    shown = page.get(url).content.decode()
    assert "You have no API token." in shown
    assert shown.count("API token revoked") == 1
    assert shown.count("API token created") == 2
    actions = list(AuditEvent.objects.filter(actor=person).order_by("id")
                   .values_list("action", flat=True))
    assert actions == [AuditAction.TOKEN_CREATE, AuditAction.TOKEN_CREATE,
                       AuditAction.TOKEN_REVOKE]


def test_revoking_without_a_token_records_nothing(person):
    page_client_for(person).post(reverse("projects:account"), {"action": "revoke"})
    assert not AuditEvent.objects.exists()


def test_the_account_page_needs_a_login():
    response = page_client_for(None).get(reverse("projects:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_header_links_to_the_account(person):
    shown = page_client_for(person).get(reverse("projects:list")).content.decode()
    assert f'href="{reverse("projects:account")}"' in shown
