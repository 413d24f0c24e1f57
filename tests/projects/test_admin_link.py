"""The navigation's Admin link is only for staff the admin has something for: a manager made
staff to create projects (the demo's) found an admin that shows nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from projects.permissions import can_use_admin
from tests.conftest import page_client_for
from tests.factories import UserFactory

ADMIN = reverse("admin:index")


def _shows_admin_link(user) -> bool:
    response = page_client_for(user).get(reverse("projects:list"))
    assert response.status_code == 200
    return f'href="{ADMIN}"' in response.content.decode()


@pytest.mark.django_db
def test_the_admin_link_is_for_superusers_and_staff_with_admin_permissions():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_project"))
    assert _shows_admin_link(superuser)
    assert _shows_admin_link(editor)
    assert page_client_for(editor).get(ADMIN).status_code == 200


@pytest.mark.django_db
def test_no_admin_link_for_staff_without_permissions_nor_for_members(world):
    staff_manager = world.users["manager"]
    staff_manager.is_staff = True  # may create projects, may not see anything in the admin
    staff_manager.save()
    assert not _shows_admin_link(staff_manager)
    assert not _shows_admin_link(world.users["annotator"])
    with_permissions_not_staff = UserFactory()
    with_permissions_not_staff.user_permissions.add(
        Permission.objects.get(codename="view_project"))
    assert not _shows_admin_link(with_permissions_not_staff)


@pytest.mark.django_db
def test_a_permission_outside_the_admin_s_apps_does_not_count():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_session"))
    assert not can_use_admin(staff)
