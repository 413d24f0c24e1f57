"""Login throttling (django-axes): failures counted per username and address, and per address
(password spraying), a clear lockout on the login page and the token endpoint, and password
validation as configured."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"
LIMIT = settings.CONCORD_LOGIN_FAILURE_LIMIT
ADDRESS_LIMIT = settings.CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT
SPRAYER = "203.0.113.7"


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
    rules = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS
             if v["NAME"].startswith("django.contrib.auth.password_validation.")]
    assert len(rules) == 4
    with pytest.raises(ValidationError):
        validate_password(password, user=person)


def test_a_good_password_passes(person):
    validate_password("correct horse battery staple", user=person)


# Password spraying: one guess for each of many usernames, from one address.


def page_fail(address: str, name: str, **extra: str):
    return Client(REMOTE_ADDR=address, **extra).post(
        reverse("login"), {"username": name, "password": "Winter2024!"})


def api_fail(address: str, name: str, **extra: str):
    return APIClient(REMOTE_ADDR=address, **extra).post(
        reverse("api:token"), {"username": name, "password": "Winter2024!"}, format="json")


def page_login(address: str, password: str = PASSWORD):
    return Client(REMOTE_ADDR=address).post(reverse("login"),
                                            {"username": "lena", "password": password})


def api_login(address: str, password: str = PASSWORD):
    return APIClient(REMOTE_ADDR=address).post(
        reverse("api:token"), {"username": "lena", "password": password}, format="json")


def assert_address_locked(page, api) -> None:
    minutes = settings.CONCORD_LOGIN_COOLOFF_MINUTES
    assert page.status_code == 429
    assert "Too many failed logins from your network address" in page.content.decode()
    assert page["Retry-After"] == str(minutes * 60)
    assert api.status_code == 429
    assert set(api.json()) == {"detail", "errors"}
    assert "Too many failed logins from your network address" in api.json()["detail"]
    assert f"{minutes} minutes" in api.json()["detail"]
    assert api["Retry-After"] == str(minutes * 60)


def test_the_address_limit_is_set():
    assert LIMIT < ADDRESS_LIMIT <= 50
    assert ["ip_address"] in settings.AXES_LOCKOUT_PARAMETERS


@pytest.mark.parametrize("endpoint", ["page", "api"])
def test_spraying_distinct_usernames_from_one_address_is_locked(person, endpoint):
    fail, ok = (page_fail, 200) if endpoint == "page" else (api_fail, 400)
    for n in range(ADDRESS_LIMIT - 1):
        assert fail(SPRAYER, f"user{n:02d}").status_code == ok
    assert fail(SPRAYER, "user98").status_code == 429  # the limit-th failure locks
    assert fail(SPRAYER, "user99").status_code == 429  # the 21st username too
    # Both endpoints are refused, with a fresh username and with a real one.
    assert_address_locked(page_fail(SPRAYER, "fresh1"), api_fail(SPRAYER, "fresh2"))
    assert_address_locked(page_login(SPRAYER), api_login(SPRAYER))
    # Another address is not affected.
    assert page_login("198.51.100.2").status_code == 302
    assert api_login("198.51.100.3").status_code == 200


def test_the_right_password_waits_for_the_window_to_pass(person):
    for n in range(ADDRESS_LIMIT):
        page_fail(SPRAYER, f"user{n:02d}")
    assert page_login(SPRAYER).status_code == 429
    assert api_login(SPRAYER).status_code == 429
    # The cool-off runs from each name's last failure: move them all past it.
    past = timezone.now() - timedelta(minutes=settings.CONCORD_LOGIN_COOLOFF_MINUTES + 1)
    AccessAttempt.objects.update(attempt_time=past)
    assert page_login(SPRAYER).status_code == 302
    assert api_login(SPRAYER).status_code == 200


@pytest.mark.parametrize("last", ["page", "api"])
def test_the_login_page_and_the_token_endpoint_share_one_count(person, last):
    half = ADDRESS_LIMIT // 2
    for n in range(half):
        assert page_fail(SPRAYER, f"page{n:02d}").status_code == 200
    for n in range(ADDRESS_LIMIT - half - 1):
        assert api_fail(SPRAYER, f"api{n:02d}").status_code == 400
    # One short of the limit across both: the next failure, on either, locks both.
    locked = (page_fail if last == "page" else api_fail)(SPRAYER, "last")
    assert locked.status_code == 429
    assert_address_locked(page_fail(SPRAYER, "again1"), api_fail(SPRAYER, "again2"))


def test_successful_logins_neither_count_nor_reset_the_address(person):
    for n in range(ADDRESS_LIMIT - 1):
        page_fail(SPRAYER, f"user{n:02d}")
    for _ in range(3):  # a sprayer's own account: its logins succeed...
        assert page_login(SPRAYER).status_code == 302
        assert api_login(SPRAYER).status_code == 200
    # ...and clear only its own failures, not the address's.
    assert api_fail(SPRAYER, "one-more").status_code == 429


def test_behind_a_proxy_the_address_it_appends_counts(person, settings):
    settings.CONCORD_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.1"
    for n in range(ADDRESS_LIMIT):  # the first entry is the client's own claim: ignored
        page_fail(proxy, f"user{n:02d}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {SPRAYER}")
    assert api_fail(proxy, "x", HTTP_X_FORWARDED_FOR=SPRAYER).status_code == 429
    # Another client behind the same proxy logs in.
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.post(reverse("login"), {"username": "lena", "password": PASSWORD}
                      ).status_code == 302
