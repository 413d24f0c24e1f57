from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from annotation import selectors
from annotation.forms import ImportForm
from annotation.models import DocumentStatus
from annotation.pure.exports import FORMATS
from annotation.selectors.document_pages import SearchPage, documents_page
from annotation.selectors.document_search import visible_query
from annotation.serializers import DocumentFilter
from annotation.services.assignments import documents_requeue
from annotation.services.imports.jobs import import_start
from projects.errors import ServiceError
from projects.permissions import MAX_ID, ROLE_RIGHTS, Access, Right
from projects.selectors import label_list, member_list
from projects.views.base import apply_service, context, project_view


class DocumentFilterForm(forms.Form):
    """The status and skipped filters of the requeue form (which returns to the list)."""

    status = forms.ChoiceField(choices=DocumentStatus.choices, required=False)
    skipped = forms.NullBooleanField(required=False)  # ?skipped=true: skipped ones only

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"status": data.get("status") or None, "skipped": data.get("skipped")}


def filter_query(filters: dict[str, Any]) -> str:
    """The filters as a query string, for links that keep them."""
    return urlencode({key: str(value).lower() for key, value in filters.items()
                      if value is not None})


PAGE_SIZE = 50
NOT_FILTERS = ("after", "before", "page_size", "meta_key", "meta_value")


def list_filters(params: QueryDict) -> QueryDict:
    """The list's filters from the page's query string: the form's meta_key and meta_value
    become the API's meta.<key>=<value>; cursors are dropped."""
    data = params.copy()
    key, value = data.get("meta_key", "").strip(), data.get("meta_value", "")
    for name in NOT_FILTERS:
        data.pop(name, None)
    if key:
        data[f"meta.{key}"] = value
    for name in [n for n, v in data.items() if v == ""]:
        data.pop(name)
    return data


@project_view(Right.VIEW)
def document_list(request: HttpRequest, access: Access) -> HttpResponse:
    filters_data = list_filters(request.GET)
    filters = DocumentFilter(data=filters_data)
    page, errors = None, {}
    if filters.is_valid():
        query = visible_query(access=access, query=filters.query())
        try:
            page = documents_page(access=access, user=request.user, query=query,
                                  size=PAGE_SIZE, after=request.GET.get("after"),
                                  before=request.GET.get("before"))
        except ServiceError as exc:
            errors = {e["field"]: [e["message"]] for e in exc.errors}
        if page is not None and access.can(Right.SEE_OTHERS):
            selectors.documents_with_skips(documents=page.documents)
    else:
        errors = filters.errors
    template = "annotation/documents.html"
    if request.htmx:
        template += "#document-table"
    return render(request, template, list_context(access, request, filters_data, page, errors),
                  status=400 if errors else 200)


def list_context(access: Access, request: HttpRequest, filters: QueryDict,
                 page: SearchPage | None, errors: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in request.GET.items() if k not in ("after", "before")}
    ordering = values.get("ordering") or "id"
    unsorted = {k: v for k, v in filters.items() if k != "ordering"}
    return context(
        access, page=page, errors=errors, values=values, ordering=ordering,
        query=filters.urlencode(), unsorted=urlencode(unsorted),
        statuses=DocumentStatus.choices, status=values.get("status"),
        skipped={"true": True, "false": False}.get(values.get("skipped", "")),
        labels=label_list(project=access.project).prefetch_related(None)
        if access.can(Right.BROWSE) or access.can(Right.LABEL) else [],
        members=member_list(project=access.project)
        if access.can(Right.SEE_OTHERS) or access.can(Right.MANAGE) else [],
        labelers=[m for m in member_list(project=access.project)
                  if Right.LABEL in ROLE_RIGHTS[m.role]] if access.can(Right.MANAGE) else [],
        own_only=not access.can(Right.BROWSE), page_size=PAGE_SIZE,
        export_formats=sorted(FORMATS),
        columns=[("id", _("ID")), ("external_id", _("External id")),
                 ("status", _("Status")) if access.can(Right.BROWSE) else ("", _("Yours")),
                 ("created_at", _("Added"))],
        flag_filters=[(name, title, values.get(name, "")) for name, title in (
            ("skipped", _("Skipped")), ("pii", _("PII found")),
            ("near_duplicate", _("Near-duplicate")), ("gold_check", _("Gold check")))
            if name != "gold_check" or access.can(Right.BROWSE)])


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
