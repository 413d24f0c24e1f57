from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from projects import selectors, services
from projects.errors import ServiceError
from projects.forms import MemberForm, RoleForm
from projects.permissions import Access, Right
from projects.views.base import apply_service, context, project_view


def _page(request: HttpRequest, access: Access, form: MemberForm, error: str = "",
          status: int = 200) -> HttpResponse:
    members = selectors.member_list(project=access.project)
    return render(request, "projects/members.html",
                  context(access, members=members, form=form, error=error), status=status)


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and apply_service(
            form, lambda: services.member_add(project=access.project, by=request.user,
                                              **form.cleaned_data)):
        return redirect("projects:members", project_id=access.project.pk)
    return _page(request, access, form, status=400 if form.errors else 200)


@project_view(Right.MANAGE)
@require_POST
def member_role(request: HttpRequest, access: Access, username: str) -> HttpResponse:
    membership = selectors.membership_get(project=access.project, username=username)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(form.errors.as_text())
        services.member_update(membership=membership, role=form.cleaned_data["role"],
                               by=request.user)
    except ServiceError as exc:
        return _page(request, access, MemberForm(), error=exc.detail, status=exc.status_code)
    return redirect("projects:members", project_id=access.project.pk)


@project_view(Right.MANAGE)
@require_POST
def member_remove(request: HttpRequest, access: Access, username: str) -> HttpResponse:
    membership = selectors.membership_get(project=access.project, username=username)
    try:
        services.member_remove(membership=membership, by=request.user)
    except ServiceError as exc:
        return _page(request, access, MemberForm(), error=exc.detail, status=exc.status_code)
    return redirect("projects:members", project_id=access.project.pk)
