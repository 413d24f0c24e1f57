from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from annotation import selectors
from annotation.forms import ImportForm
from annotation.models import DocumentStatus
from annotation.services.assignments import documents_requeue
from annotation.services.imports.jobs import import_start
from projects.permissions import MAX_ID, Access, Right
from projects.views.base import apply_service, context, project_view


class DocumentFilterForm(forms.Form):
    status = forms.ChoiceField(choices=DocumentStatus.choices, required=False)
    skipped = forms.NullBooleanField(required=False)  # ?skipped=true: skipped ones only

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"status": data.get("status") or None, "skipped": data.get("skipped")}


class DocumentListQuery(DocumentFilterForm):
    after = forms.IntegerField(min_value=0, required=False)
    before = forms.IntegerField(min_value=0, required=False)


def filter_query(filters: dict[str, Any]) -> str:
    """The filters as a query string, for links that keep them."""
    return urlencode({key: str(value).lower() for key, value in filters.items()
                      if value is not None})


@project_view(Right.BROWSE)
def document_list(request: HttpRequest, access: Access) -> HttpResponse:
    query = DocumentListQuery(request.GET)
    filters = query.filters()
    params = query.cleaned_data if query.is_valid() else {}
    page = selectors.document_page(project=access.project, **filters, after=params.get("after"),
                                   before=params.get("before"),
                                   skips=access.can(Right.SEE_OTHERS))
    template = "annotation/documents.html"
    if request.htmx:
        template += "#document-table"
    return render(request, template, context(
        access, page=page, **filters, query=filter_query(filters),
        statuses=DocumentStatus.choices))


class RequeueForm(DocumentFilterForm):
    """One document, or `every` skipped document of the list's filter (which is also where
    the page goes back to)."""

    document = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    every = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("document") and not data.get("every"):
            raise forms.ValidationError(_("Choose a document, or every skipped one."))
        return data


@project_view(Right.MANAGE)
@require_POST
def documents_requeue_page(request: HttpRequest, access: Access) -> HttpResponse:
    form = RequeueForm(request.POST)
    filters = form.filters()
    back = reverse("projects:documents", args=[access.project.pk]) + "?" + filter_query(filters)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Nothing to return."))
        return redirect(back)
    if document_id := form.cleaned_data["document"]:
        docs, scope = access.project.documents.filter(pk=document_id), {"ids": [document_id]}
    else:
        every = {**filters, "skipped": True}
        docs, scope = selectors.document_list(project=access.project, **every), {"filter": every}
    done = documents_requeue(project=access.project, by=request.user, documents=docs, scope=scope)
    messages.success(request, ngettext("%(n)d document returned to the queue.",
                                       "%(n)d documents returned to the queue.",
                                       done.documents) % {"n": done.documents})
    return redirect(back)


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
