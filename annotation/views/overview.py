"""The project's home page: its documents, the requester's progress, its labels, what
blocks labeling, and its guidelines."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation.selectors import document_counts, progress_of
from projects import selectors
from projects.markdown import render_markdown
from projects.permissions import Access, Right
from projects.views.base import context, project_view


@project_view(Right.VIEW)
def project_detail(request: HttpRequest, access: Access) -> HttpResponse:
    progress = (progress_of(project=access.project, user=request.user)
                if access.can(Right.LABEL) else None)
    return render(request, "projects/detail.html", context(
        access, progress=progress,
        counts=document_counts(project=access.project),
        labels=selectors.label_list(project=access.project),
        problems=selectors.setup_problems(project=access.project),
        guidelines=render_markdown(access.project.guidelines)))
