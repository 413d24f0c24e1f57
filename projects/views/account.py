from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from rest_framework.authtoken.models import Token

from projects import selectors, services


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The user's API token: its state; create or regenerate (the key is shown once), revoke."""
    user = request.user
    assert isinstance(user, User)  # login_required
    new_key = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.token_revoke(user=user)
            return redirect("projects:account")
        new_key = services.token_regenerate(user=user).key
    token = Token.objects.filter(user=user).first()
    return render(request, "projects/account.html", {
        "token": token, "new_key": new_key, "events": selectors.token_events(user=user)})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, the redirect back), and for a signed-in user the
    choice saved, so it follows them to other browsers."""
    language = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and language in dict(settings.LANGUAGES):
        services.language_preference_set(user=user, language=language)
    return django_set_language(request)
