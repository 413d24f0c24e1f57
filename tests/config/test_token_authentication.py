"""config.api.authentication: DRF's token answers, from one raw query."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _get(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:projects"))


def test_a_valid_token_authenticates_its_user_with_the_token_as_auth():
    user = UserFactory(username="tok-user")
    token = Token.objects.create(user=user)
    response = _get(token.key)
    assert response.status_code == 200
    request = response.wsgi_request
    assert request.user.pk == user.pk
    assert (request.auth.key, request.auth.user_id) == (token.key, user.pk)
    assert request.auth.created == Token.objects.get(key=token.key).created


def test_an_unknown_token_and_an_inactive_user_get_drf_s_401s():
    user = UserFactory(username="tok-gone")
    token = Token.objects.create(user=user)
    unknown = _get("0" * 40)
    assert (unknown.status_code, unknown.json()["detail"]) == (401, "Invalid token.")
    user.is_active = False
    user.save()
    inactive = _get(token.key)
    assert (inactive.status_code, inactive.json()["detail"]) == (401, "User inactive or deleted.")
