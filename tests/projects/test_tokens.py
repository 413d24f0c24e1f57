"""API tokens: obtained, created and regenerated on the account page, revoked; audited."""

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.management import call_command
from django.test import Client
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


# Revocation when the credentials change (CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE, on by
# default): every path that changes a password, and deactivation.
NEW_PASSWORD = "another long passphrase 77"


@pytest.fixture
def token(person):
    return Token.objects.create(user=person).key


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_page(root):
    return page_client_for(root)


def revoked(person, key: str, *, by=None, reason: str) -> None:
    assert projects_with(key) == 401
    assert not Token.objects.filter(user=person).exists()
    [event] = AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE)
    assert (event.target, event.actor, event.data) == (
        "tess", by, {"key_prefix": key[:4], "reason": reason})


def admin_change_form(user, **changes) -> dict:
    """The admin's user form as posted, with `changes`; a false boolean is left out."""
    data = {"username": user.username, "first_name": "", "last_name": "", "email": "",
            "is_active": "on", "date_joined_0": "2024-01-02", "date_joined_1": "03:04:05",
            "initial-date_joined_0": "2024-01-02", "initial-date_joined_1": "03:04:05",
            "last_login_0": "", "last_login_1": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_a_password_change_form_revokes_the_token(person, token):
    """Django's PasswordChangeForm: what a password page (Django's or the account's) saves."""
    form = PasswordChangeForm(person, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                       "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    revoked(person, token, reason="password_change")
    # Signing in with the new password gives a new token.
    new = APIClient().post(reverse("api:token"), {"username": "tess", "password": NEW_PASSWORD},
                           format="json")
    assert projects_with(new.json()["token"]) == 200


def test_a_password_reset_revokes_the_token(person, token):
    form = SetPasswordForm(person, {"new_password1": NEW_PASSWORD,
                                    "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    revoked(person, token, reason="password_change")


def test_the_admin_password_form_revokes_the_token(person, token, admin_page):
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    answer = admin_page.post(url, {"usable_password": "true", "password1": NEW_PASSWORD,
                                   "password2": NEW_PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    revoked(person, token, reason="password_change")


def test_set_password_and_save_revokes_the_token(person, token):
    person.set_password(NEW_PASSWORD)
    assert projects_with(token) == 200  # nothing before the save
    person.save()
    revoked(person, token, reason="password_change")


def test_manage_py_changepassword_revokes_the_token(person, token, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "tess", stdout=None)
    revoked(person, token, reason="password_change")


def test_a_hash_upgrade_at_login_is_no_password_change(person, token):
    # A hash Django wants to rewrite (a salt too short for today's hasher): login rehashes.
    person.password = make_password(PASSWORD, salt="ab")
    person.save(update_fields=["password"])
    before = person.password
    assert Client().login(username="tess", password=PASSWORD)
    person.refresh_from_db()
    assert person.password != before  # rewritten...
    assert projects_with(token) == 200  # ...and the token kept
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).exists()


def test_deactivating_in_the_admin_revokes_at_once(person, token, admin_page, root):
    url = reverse("admin:auth_user_change", args=[person.pk])
    answer = admin_page.post(url, admin_change_form(person, is_active=False))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    person.refresh_from_db()
    assert not person.is_active
    assert not Token.objects.filter(user=person).exists()  # before any use
    # Reactivated, the account has no token: the old key stays dead.
    admin_page.post(url, admin_change_form(person))
    person.refresh_from_db()
    assert person.is_active
    revoked(person, token, by=root, reason="deactivated")


def test_other_admin_edits_keep_the_token(person, token, admin_page):
    url = reverse("admin:auth_user_change", args=[person.pk])
    answer = admin_page.post(url, admin_change_form(person, first_name="Tess"))
    assert answer.status_code == 302
    assert projects_with(token) == 200


def test_a_deactivated_account_loses_its_token_on_next_use(person, token):
    person.is_active = False
    person.save()  # a script, not the admin
    assert projects_with(token) == 401
    revoked(person, token, reason="deactivated")


def test_the_setting_off_keeps_tokens(person, token, admin_page, settings):
    settings.CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE = False
    person.set_password(NEW_PASSWORD)
    person.save()
    assert projects_with(token) == 200
    admin_page.post(reverse("admin:auth_user_change", args=[person.pk]),
                    admin_change_form(person, is_active=False))
    assert projects_with(token) == 401  # an inactive account is refused, as always...
    person.is_active = True
    person.save()
    assert projects_with(token) == 200  # ...and its token kept
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).exists()


def test_the_setting_is_on_by_default_and_the_password_forms_say_so(settings):
    assert settings.CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE is True
    assert "Changing the password revokes the account's API token." in \
        password_validators_help_texts()
