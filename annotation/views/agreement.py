from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotation.selectors.agent_agreement import report_agents
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
    models = agent_rows(report_agents(report_id=stored.pk)) if stored else []
    return render(request, PAGE, context(access, job=running and live_progress(running),
                                         done=False, models=models, **shown))


HEADLINES = (  # (task block, statistic, what it is)
    ("entities", "f1_exact", "Entity F1 (exact)"),
    ("entities", "f1_overlap", "Entity F1 (overlap)"),
    ("relations", "f1", "Relation F1"),
    ("sentiment", "cohen_kappa", "Sentiment κ"),
)
LABEL_FIGURE = {"entities": "f1_exact", "relations": "f1", "sentiment": "kappa"}


def _figure(pair: dict[str, Any], block: str, key: str) -> dict[str, Any] | None:
    part = (pair.get(block) or {}).get(key)
    if not isinstance(part, dict):
        return None
    ci = part.get("ci") or {}
    return {"value": part.get("value"), "low": ci.get("low"), "high": ci.get("high"),
            "items": part.get("items"), "precision": part.get("precision"),
            "recall": part.get("recall")}


def agent_rows(agents: dict[str, Any]) -> list[dict[str, Any]]:
    """Per agent, for the Models table: headline figures against gold with their intervals,
    the same against each annotator, and per label figures against gold."""
    out = []
    for name, agent in sorted(agents.items()):
        gold = agent.get("vs_gold") or {}
        figures = [(title, block, key) for block, key, title in HEADLINES if gold.get(block)]
        labels = []
        for block, key in LABEL_FIGURE.items():
            for label, row in ((gold.get(block) or {}).get("per_label") or {}).items():
                labels.append({"task": block, "label": label, "value": row.get(key),
                               "precision": row.get("precision"), "recall": row.get("recall"),
                               "gold": row.get("count_a"), "agent": row.get("count_b")})
        out.append({
            "name": name, "version": agent.get("version"), "kind": agent.get("kind"),
            "documents": agent.get("documents"), "gold_documents": gold.get("documents", 0),
            "headlines": [{"title": title, **(_figure(gold, block, key) or {})}
                          for title, block, key in figures],
            "titles": [title for title, _b, _k in figures],
            "annotators": [{"name": pair.get("annotator"),
                            "values": [(_figure(pair, block, key) or {}).get("value")
                                       for _t, block, key in figures]}
                           for pair in agent.get("vs_annotators") or []],
            "labels": labels, "notes": agent.get("notes") or []})
    return out


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
