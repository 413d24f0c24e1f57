from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotation import selectors
from annotation.forms import ImportForm
from annotation.models import DocumentStatus
from annotation.services.imports import import_start
from projects.permissions import Access, Right
from projects.views.base import apply_service, context, project_view


class DocumentListQuery(forms.Form):
    status = forms.ChoiceField(choices=DocumentStatus.choices, required=False)
    after = forms.IntegerField(min_value=0, required=False)
    before = forms.IntegerField(min_value=0, required=False)


@project_view(Right.BROWSE)
def document_list(request: HttpRequest, access: Access) -> HttpResponse:
    query = DocumentListQuery(request.GET)
    params = query.cleaned_data if query.is_valid() else {}
    page = selectors.document_page(project=access.project, status=params.get("status") or None,
                                   after=params.get("after"), before=params.get("before"))
    template = "annotation/documents.html"
    if request.htmx:
        template += "#document-table"
    return render(request, template, context(
        access, page=page, status=params.get("status"), statuses=DocumentStatus.choices))


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, access: Access) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = apply_service(form, lambda: import_start(
            project=access.project, by=request.user, upload=form.cleaned_data["file"],
            options=form.options()))
        if job:
            return redirect("projects:job", job_id=job.pk)
    return render(request, "annotation/import.html", context(access, form=form),
                  status=400 if form.errors else 200)
