from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation import selectors
from annotation.models import DocumentStatus
from projects.permissions import Access, Right
from projects.views.base import context, project_view


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
