from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from projects import cache_keys
from projects.errors import ServiceError
from projects.models import Preference


@transaction.atomic
def language_preference_set(*, user: User, language: str) -> Preference:
    """Save the interface language the user chose in the switcher."""
    if language not in dict(settings.LANGUAGES):
        raise ServiceError.field("language", _("Unknown language: %(code)s.")
                                 % {"code": language})
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"language": language})
    key = cache_keys.preferred_language(user.pk)
    cache.delete(key)  # this request's own read, and again once others can see the row
    transaction.on_commit(lambda: cache.delete(key))
    return preference
