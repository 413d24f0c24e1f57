from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from projects import services
from projects.forms import GuidelinesForm, ProjectForm
from projects.markdown import render_markdown
from projects.permissions import Access, Right, can_create_projects
from projects.views.base import apply_service, context, project_view


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not can_create_projects(request.user):
        raise PermissionDenied(_("You may not create projects."))
    form = ProjectForm(request.POST or None, initial={"tasks": ["ner"]})
    if request.method == "POST" and form.is_valid():
        project = apply_service(form, lambda: services.project_create(
            creator=request.user, **form.cleaned_data))
        if project:
            return redirect("projects:labels", project_id=project.pk)
    return render(request, "projects/create.html", {"form": form})


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def project_settings(request: HttpRequest, access: Access) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=access.project)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        if apply_service(form, lambda: services.project_update(project=access.project, **fields)):
            return redirect("projects:detail", project_id=access.project.pk)
    return render(request, "projects/settings.html", context(access, form=form))


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def project_guidelines(request: HttpRequest, access: Access) -> HttpResponse:
    form = GuidelinesForm(request.POST or None,
                          initial={"guidelines": access.project.guidelines})
    if request.method == "POST" and form.is_valid() and apply_service(form, lambda: (
            services.project_update(project=access.project,
                                    guidelines=form.cleaned_data["guidelines"]))):
        return redirect("projects:detail", project_id=access.project.pk)
    preview = render_markdown(form.data.get("guidelines", access.project.guidelines)
                              if form.is_bound else access.project.guidelines)
    return render(request, "projects/guidelines.html", context(access, form=form, preview=preview))


@project_view(Right.MANAGE)
@require_POST
def guidelines_preview(request: HttpRequest, access: Access) -> HttpResponse:
    return render(request, "projects/guidelines.html#preview", context(
        access, preview=render_markdown(request.POST.get("guidelines", ""))))


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("confirm_name") != access.project.name:
            return render(request, "projects/delete.html", context(
                access, error=_("Type the project's name exactly to confirm.")), status=400)
        job = services.project_delete(project=access.project, by=request.user)
        target = f"/jobs/{job.pk}/"
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    return render(request, "projects/delete.html", context(access))
