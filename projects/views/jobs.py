from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects import selectors
from projects.models import JobStatus


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress; while it runs, htmx polls the #job-status partial."""
    job = selectors.job_get(user=request.user, job_id=job_id)
    done = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    template = "jobs/detail.html#job-status" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job, "done": done})
