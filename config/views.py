from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views import defaults

from config.api.errors import json_404, json_500
from config.faults import database_unavailable_in_handler500


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_404(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    unavailable = database_unavailable_in_handler500(request)  # a lost connection outside a view
    if unavailable is not None:
        return unavailable
    if request.path.startswith("/api/"):
        return json_500(request)
    return defaults.server_error(request)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("favicon.svg"))
