from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from projects import selectors, services
from projects.errors import Conflict
from projects.forms import LabelForm
from projects.permissions import Access, Right
from projects.views.base import apply_service, context, form_status, project_view

TEMPLATE = "projects/labels.html"


def _page(request: HttpRequest, access: Access, form: LabelForm, status: int = 200,
          error: str = "") -> HttpResponse:
    labels = selectors.label_list(project=access.project)
    return render(request, TEMPLATE, context(access, labels=labels, form=form, error=error),
                  status=status)


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def label_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = LabelForm(request.POST or None, project=access.project)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if apply_service(form, lambda: services.label_create(project=access.project, **fields)):
            return redirect("projects:labels", project_id=access.project.pk)
    return _page(request, access, form, status=form_status(form))


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def label_edit(request: HttpRequest, access: Access, label_id: int) -> HttpResponse:
    """The edit row; htmx swaps it into the table, and a plain GET shows it as a page."""
    label = get_object_or_404(access.project.labels, pk=label_id)
    form = LabelForm(request.POST or None, instance=label, project=access.project,
                     initial={"head_labels": label.head_labels.all(),
                              "tail_labels": label.tail_labels.all()})
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        saved = apply_service(form, lambda: services.label_update(label=label, **fields))
        if saved:
            if request.htmx:
                return render(request, f"{TEMPLATE}#label-row", context(access, label=saved))
            return redirect("projects:labels", project_id=access.project.pk)
    ctx = context(access, label=label, edit_form=form)
    if request.htmx:
        return render(request, f"{TEMPLATE}#label-edit-row", ctx,
                      status=400 if form.errors else 200)
    return render(request, "projects/label_edit.html", ctx, status=400 if form.errors else 200)


@project_view(Right.MANAGE)
@require_POST
def label_delete(request: HttpRequest, access: Access, label_id: int) -> HttpResponse:
    label = get_object_or_404(access.project.labels, pk=label_id)
    try:
        services.label_delete(label=label)
    except Conflict as exc:
        return _page(request, access, LabelForm(project=access.project), status=409,
                     error=exc.detail)
    return redirect("projects:labels", project_id=access.project.pk)
