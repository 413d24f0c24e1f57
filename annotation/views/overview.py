"""The list of the requester's projects, with each one's progress, and a project's home
page: its documents, the requester's progress, its labels, what blocks labeling, and its
guidelines. (Here, not in projects/, since they show what annotation counts.)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation.selectors import document_counts, progress_of
from annotation.services.progress import progress_bars_fresh
from projects import selectors
from projects.markdown import render_markdown
from projects.permissions import Access, Right, can_create_projects
from projects.views.base import context, project_view


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = list(selectors.project_list(user=request.user))
    bars = progress_bars_fresh(project_ids=[p.pk for p in projects])
    for project in projects:
        project.bar = bars.get(project.pk)  # type: ignore[attr-defined]
    return render(request, "projects/list.html", {
        "projects": projects, "can_create": can_create_projects(request.user)})


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
