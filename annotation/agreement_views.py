from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotation.selectors.agreement import agreement_latest, agreement_running, disagreements
from annotation.services.agreement import agreement_start
from projects.permissions import Access, Right
from projects.views.base import context, project_view


@project_view(Right.AGREEMENT)
@require_http_methods(["GET", "POST"])
def agreement_page(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method == "POST":
        job = agreement_start(project=access.project, by=request.user)
        return redirect("projects:job", job_id=job.pk)
    report = agreement_latest(project=access.project)
    running = agreement_running(project=access.project)
    return render(request, "annotation/agreement.html", context(
        access, report=report, data=report.report if report else None, running=running,
        worst=disagreements(report=report, limit=20) if report else []))
