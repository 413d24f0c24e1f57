from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
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
