"""Login throttling (django-axes): failures counted per username and address, a clear lockout
on the login page and the token endpoint, and password validation as configured."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"
LIMIT = settings.CONCORD_LOGIN_FAILURE_LIMIT


@pytest.fixture
def person():
    user = UserFactory(username="lena")
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client: Client, password: str, username: str = "lena"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_limit_is_set():
    assert 3 <= LIMIT <= 10
    assert settings.AXES_ENABLED


def test_failures_under_the_limit_still_let_the_right_password_in(person):
    client = Client()
    for _ in range(LIMIT - 1):
        assert login(client, "wrong").status_code == 200  # the form again, with its error
    assert login(client, PASSWORD).status_code == 302
    # A success resets the count: as many failures again are allowed.
    client = Client()
    for _ in range(LIMIT - 1):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302


def test_n_failed_logins_lock_out_even_the_right_password(person):
    client = Client()
    for _ in range(LIMIT - 1):
        assert login(client, "wrong").status_code == 200
    locked = login(client, "wrong")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed logins" in body
    assert f"{settings.CONCORD_LOGIN_COOLOFF_MINUTES} minutes" in body
    assert locked["Retry-After"] == str(settings.CONCORD_LOGIN_COOLOFF_MINUTES * 60)
    right = login(client, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lock is for this username from this address: another user still logs in.
    other = UserFactory(username="omar")
    other.set_password(PASSWORD)
    other.save()
    assert login(Client(), PASSWORD, username="omar").status_code == 302


def test_the_token_endpoint_is_throttled_with_a_json_429(person):
    api = APIClient()
    url = reverse("api:token")
    for _ in range(LIMIT - 1):
        assert api.post(url, {"username": "lena", "password": "wrong"},
                        format="json").status_code == 400
    last = api.post(url, {"username": "lena", "password": "wrong"}, format="json")
    locked = api.post(url, {"username": "lena", "password": PASSWORD}, format="json")
    for answer in (last, locked):
        assert answer.status_code == 429
        assert set(answer.json()) == {"detail", "errors"}
        assert "Too many failed logins" in answer.json()["detail"]


def test_lockouts_reach_the_page_too_after_api_failures(person):
    api = APIClient()
    for _ in range(LIMIT):
        api.post(reverse("api:token"), {"username": "lena", "password": "wrong"},
                 format="json")
    assert login(Client(), PASSWORD).status_code == 429


def test_the_test_client_login_is_not_throttled(person):
    """authenticate() without a request (Client.login, scripts) skips the throttle."""
    for _ in range(LIMIT + 1):
        assert Client().login(username="lena", password="wrong") is False
    assert Client().login(username="lena", password=PASSWORD) is True


@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "qwertyuiop"])
def test_weak_passwords_are_refused(person, password):
    assert len(settings.AUTH_PASSWORD_VALIDATORS) == 4
    with pytest.raises(ValidationError):
        validate_password(password, user=person)


def test_a_good_password_passes(person):
    validate_password("correct horse battery staple", user=person)
