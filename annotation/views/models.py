"""The Models page: a project's agents (what each proposes, its current version and its
cross-validated metrics on gold, how often people accept its suggestions), switching them on
and off, the LLM agent's endpoint, and training runs with their progress and outcome.

Managers act; reviewers and consumers (the AGREEMENT right) read. Every form is a plain POST
that htmx enhances: with htmx the answer is the page's body partial, without it a redirect
back here (errors as messages)."""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from annotation.models import Agent, AgentKind, AgentVersion
from annotation.selectors.agents import agents_of, built_in_for, training_jobs
from annotation.services.agents.registry import agent_update
from annotation.services.agents.training import training_start
from projects.errors import ServiceError
from projects.models import Job, JobStatus
from projects.permissions import Access, Right
from projects.selectors import live_progress
from projects.views.base import context, project_view

PAGE = "annotation/models.html"
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
HISTORY = 10  # training runs shown
NO_DECISIONS: dict[str, Any] = {"rate": None, "decisions": 0}


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("train", "train"), ("switch", "switch"),
                                        ("llm", "llm")])


class TrainForm(forms.Form):
    agent = forms.CharField(max_length=100, required=False)  # empty: every trained agent


class SwitchForm(forms.Form):
    agent = forms.CharField(max_length=100)
    active = forms.ChoiceField(choices=[("on", "on"), ("off", "off")])


class LlmForm(forms.Form):
    """The LLM agent's endpoint. The secret is write-only: the field is never filled in, and
    left empty it keeps the stored one."""

    url = forms.URLField(label=_lazy("URL"), max_length=500, required=False,
                         assume_scheme="https")
    model = forms.CharField(label=_lazy("Model"), max_length=200, required=False)
    prompt = forms.CharField(label=_lazy("Prompt"), max_length=20_000, required=False,
                             strip=False, widget=forms.Textarea(attrs={"rows": 6}))
    secret = forms.CharField(
        label=_lazy("Secret"), max_length=500, required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_lazy("Sent as the bearer token. Leave empty to keep the one that is set."))
    forget_secret = forms.BooleanField(label=_lazy("Forget the secret"), required=False)


@dataclass
class LabelRow:
    name: str
    metrics: dict[str, Any]
    accept: dict[str, Any]


@dataclass
class AgentView:
    """One agent as the page shows it."""

    agent: Agent
    trainable: bool
    accept: dict[str, Any]
    labels: list[LabelRow] = field(default_factory=list)
    form: LlmForm | None = None
    refused: AgentVersion | None = None  # the newest version, when it was not switched on

    @property
    def metrics(self) -> dict[str, Any]:
        version = self.agent.version
        return version.metrics if version is not None else {}


def _agent_views(access: Access, llm_form: LlmForm | None) -> list[AgentView]:
    trainable = set(built_in_for(access.project))
    newest: dict[int, AgentVersion] = {}
    for version in (AgentVersion.objects.filter(agent__project=access.project)
                    .defer("metrics").order_by("agent_id", "number")):
        newest[version.agent_id] = version
    shown = []
    for agent in agents_of(project=access.project):
        accept: dict[str, Any] = {**NO_DECISIONS, "per_label": {},
                                  **(getattr(agent, "accept", None) or {})}
        row = AgentView(agent=agent, trainable=agent.name in trainable, accept=accept)
        latest = newest.get(agent.pk) if agent.pk else None
        if latest is not None and latest.pk != agent.version_id and not latest.passed:
            row.refused = latest
        per_label = row.metrics.get("per_label") or {}
        accepted = accept.get("per_label") or {}
        row.labels = [LabelRow(name, per_label.get(name) or {},
                               accepted.get(name) or NO_DECISIONS)
                      for name in sorted(per_label.keys() | accepted.keys())]
        if agent.kind == AgentKind.LLM:
            row.form = llm_form or LlmForm(initial={
                k: agent.config.get(k, "") for k in ("url", "model", "prompt")})
        shown.append(row)
    return shown


@dataclass
class RunView:
    job: Job
    done: bool
    agents: list[tuple[str, dict[str, Any]]]


def _runs(access: Access) -> list[RunView]:
    runs = []
    for job in training_jobs(project=access.project, limit=HISTORY):
        live_progress(job)
        results = (job.result or {}).get("agents") or {}
        names = job.params.get("agents") or list(results)
        runs.append(RunView(job=job, done=job.status not in UNFINISHED,
                            agents=[(name, results.get(name) or {}) for name in names]))
    return runs


def _render(request: HttpRequest, access: Access, *, part: str = "",
            llm_form: LlmForm | None = None, status: int = 200) -> HttpResponse:
    runs = _runs(access)
    running = any(not run.done for run in runs)
    template = f"{PAGE}#{part}" if part else PAGE
    response = render(request, template, context(
        access, agents=_agent_views(access, llm_form), runs=runs, running=running,
        trainable=built_in_for(access.project), flash=bool(request.htmx)), status=status)
    if part == "history" and request.GET.get("polling") and not running:
        # The run the page was following ended: the agents' versions changed.
        response["HX-Trigger"] = "agents-changed"
    return response


def _service(request: HttpRequest, call: Any, success: str) -> bool:
    try:
        call()
    except ServiceError as exc:
        messages.error(request, exc.errors[0]["message"] if exc.errors else exc.detail)
        return False
    messages.success(request, success)
    return True


def _post(request: HttpRequest, access: Access) -> LlmForm | None:
    """Apply the POSTed action; an invalid LLM form comes back to be shown with its errors."""
    project, by = access.project, request.user
    action = ActionForm(request.POST)
    if not action.is_valid():
        messages.error(request, _("Unknown action."))
        return None
    kind = action.cleaned_data["action"]
    if kind == "train":
        train = TrainForm(request.POST)
        name = train.cleaned_data["agent"] if train.is_valid() else ""
        _service(request, lambda: training_start(project=project, by=by,
                                                 agents=[name] if name else None),
                 _("Training started. The results appear below when it ends."))
    elif kind == "switch":
        switch = SwitchForm(request.POST)
        if not switch.is_valid():
            messages.error(request, _("Choose an agent and whether to switch it on or off."))
            return None
        name, on = switch.cleaned_data["agent"], switch.cleaned_data["active"] == "on"
        _service(request, lambda: agent_update(project=project, name=name, by=by,
                                                active=on),
                 (_("%(name)s is on.") if on else _("%(name)s is off.")) % {"name": name})
    else:
        llm = LlmForm(request.POST)
        if not llm.is_valid():
            return llm
        data = llm.cleaned_data
        secret = "" if data["forget_secret"] else (data["secret"] or None)
        _service(request, lambda: agent_update(
            project=project, name=AgentKind.LLM, by=by,
            llm={k: data[k] for k in ("url", "model", "prompt")}, secret=secret),
            _("The LLM agent's settings are saved."))
    return None


@project_view(Right.AGREEMENT)
@require_http_methods(["GET", "POST"])
def models_page(request: HttpRequest, access: Access) -> HttpResponse:
    """GET: the page, or with htmx one of its partials (`part`: body, history). POST
    (managers): `action` train, switch or llm."""
    if request.method == "POST":
        access.require(Right.MANAGE)
        invalid = _post(request, access)
        if request.htmx:
            return _render(request, access, part="models-body", llm_form=invalid)
        if invalid is not None:
            return _render(request, access, llm_form=invalid, status=400)
        return redirect("projects:models", project_id=access.project.pk)
    part = request.GET.get("part", "")
    if request.htmx and part in ("models-body", "history"):
        return _render(request, access, part=part)
    return _render(request, access)
