from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from projects.errors import ServiceError
from projects.permissions import Access, Right, authorize

View = Callable[..., HttpResponse]


def project_view(right: Right) -> Callable[[View], View]:
    """Login, then the role table: 404 for non-members, 403 without `right`."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, project_id: int, *args: Any, **kwargs: Any
                    ) -> HttpResponse:
            access = authorize(user=request.user, project_id=project_id, right=right)
            return view(request, access, *args, **kwargs)

        wrapper.required_right = right  # type: ignore[attr-defined]
        return wrapper

    return decorate


def apply_service(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Run a service; put its ServiceError on the form (by field when it names one), and its
    status code where form_status finds it."""
    try:
        return call()
    except ServiceError as exc:
        for err in exc.errors or [{"field": "", "message": exc.detail}]:
            field = err.get("field", "").split(".")[0].split("[")[0]
            form.add_error(field if field in form.fields else None, err["message"])
        setattr(form, "service_status", exc.status_code)  # noqa: B010
        return None


def form_status(form: forms.Form) -> int:
    """A page's status for ``form``: 200 without errors, else the status of the service's
    error (a 409 for a Conflict), else 400."""
    if not form.errors:
        return 200
    return int(getattr(form, "service_status", 400))


def context(access: Access, **extra: Any) -> dict[str, Any]:
    return {"project": access.project, "role": access.role, "rights": access.rights, **extra}
