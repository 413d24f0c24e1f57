from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotation.selectors.agreement import agreement_running
from annotation.selectors.agreement_dashboard import (
    agreement_job,
    agreement_summary,
    agreement_trend,
    balance_summary,
    top_disagreements,
)
from annotation.services.agreement.jobs import agreement_start
from annotation.views.display import agreement as agreement_display
from annotation.views.display import balance as balance_display
from projects.models import Job, JobStatus
from projects.permissions import Access, Right
from projects.selectors import live_progress
from projects.views.base import context, project_view

PAGE = "annotation/agreement.html"


class JobQuery(forms.Form):
    job = forms.IntegerField(min_value=1, required=False)


def _recompute(request: HttpRequest, access: Access, job: Job | None) -> HttpResponse:
    done = job is not None and job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    return render(request, f"{PAGE}#recompute", context(access, job=job, done=done))


@project_view(Right.AGREEMENT)
@require_http_methods(["GET", "POST"])
def agreement_page(request: HttpRequest, access: Access) -> HttpResponse:
    """The dashboard; POST recomputes (htmx: the progress partial, else the job page)."""
    if request.method == "POST":
        access.require(Right.RECOMPUTE)
        job = agreement_start(project=access.project, by=request.user)
        if not request.htmx:
            return redirect("projects:job", job_id=job.pk)
        return _recompute(request, access, live_progress(Job.objects.get(pk=job.pk)))
    query = JobQuery(request.GET)
    if request.htmx and query.is_valid() and query.cleaned_data["job"]:
        return _recompute(request, access, agreement_job(project=access.project,
                                                         job_id=query.cleaned_data["job"]))
    stored = agreement_summary(project=access.project)
    running = agreement_running(project=access.project)
    shown = agreement_display.dashboard(stored, agreement_trend(project=access.project),
                                        top_disagreements(report_id=stored.pk)) if stored else {}
    return render(request, PAGE, context(access, job=running and live_progress(running),
                                         done=False, **shown))


class BalanceQuery(forms.Form):
    field = forms.CharField(max_length=200, required=False)
    min_share = forms.FloatField(min_value=0, max_value=50, required=False)  # percent


@project_view(Right.AGREEMENT)
@require_GET
def balance_page(request: HttpRequest, access: Access) -> HttpResponse:
    """Label distributions in submitted work and gold, overall and per meta-field slice."""
    query = BalanceQuery(request.GET)
    params = query.cleaned_data if query.is_valid() else {}
    stored = balance_summary(project=access.project)
    shown = balance_display.balance(stored, field=params.get("field") or "",
                                    min_share=params.get("min_share")) if stored else {}
    template = "annotation/balance.html#balance-body" if request.htmx else "annotation/balance.html"
    return render(request, template, context(access, **shown))
