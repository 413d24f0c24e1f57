from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation import selectors
from annotation.models import DocumentStatus
from projects.permissions import Access, Right
from projects.views.base import context, project_view


@project_view(Right.BROWSE)
def document_list(request: HttpRequest, access: Access) -> HttpResponse:
    status = request.GET.get("status")
    status = status if status in DocumentStatus.values else None
    docs = selectors.document_list(project=access.project, status=status)
    page = Paginator(docs.only("id", "external_id", "status", "created_at", "text"), 50
                     ).get_page(request.GET.get("page"))
    template = "annotation/documents.html#document-table" if request.htmx else \
        "annotation/documents.html"
    return render(request, template, context(
        access, page=page, status=status, statuses=DocumentStatus.choices))
