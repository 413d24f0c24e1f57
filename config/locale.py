"""The interface language: the signed-in user's saved choice first, then what Django's
LocaleMiddleware picks (the language cookie the switcher sets, then Accept-Language, then
LANGUAGE_CODE). API requests authenticate in the view, after this runs, so the API follows
Accept-Language."""

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from projects.selectors import preferred_language


class PreferredLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = preferred_language(user_id=user.pk)
            if language and translation.check_for_language(language):
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
                return
        super().process_request(request)
