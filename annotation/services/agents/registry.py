"""A project's agents: created when first used, switched on or off, the LLM configured."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from annotation.models import Agent, AgentKind
from annotation.selectors.agents import agents_of
from projects.errors import ServiceError
from projects.models import AuditAction, Project
from projects.services.audit import audit_record

LLM_FIELDS = ("url", "model", "prompt")


def agent_ensure(*, project: Project, name: str) -> Agent:
    """The stored agent `name`; a built-in or the LLM agent is stored on first use."""
    agent = Agent.objects.filter(project=project, name=name).first()
    if agent is not None:
        return agent
    known = next((a for a in agents_of(project=project) if a.name == name), None)
    if known is None:
        raise ServiceError.field("agent", _("This project has no agent %(name)s.")
                                 % {"name": name})
    agent, _created = Agent.objects.get_or_create(
        project=project, name=name, defaults={"kind": known.kind, "active": known.active})
    return agent


@transaction.atomic
def agent_update(*, project: Project, name: str, by: User, active: bool | None = None,
                 llm: dict[str, Any] | None = None, secret: str | None = None) -> Agent:
    """Switch an agent on or off; for the LLM agent, set its endpoint (url, model, prompt)
    and secret. The audit log records what changed, never the secret itself."""
    agent = agent_ensure(project=project, name=name)
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    changed: dict[str, Any] = {}
    if (llm or secret is not None) and agent.kind != AgentKind.LLM:
        raise ServiceError.field("url", _("Only the LLM agent has an endpoint."))
    if llm:
        agent.config = {**agent.config, **{k: v for k, v in llm.items() if k in LLM_FIELDS}}
        changed.update({k: v for k, v in llm.items() if k in ("url", "model")})
        changed["prompt_changed"] = "prompt" in llm
    if secret is not None:
        agent.secret = secret
        changed["secret_changed"] = True
    if active is not None:
        if active and agent.kind == AgentKind.LLM and not agent.config.get("url"):
            raise ServiceError.field("active", _("Set the LLM agent's URL and model first."))
        agent.active = active
        agent.message = "" if active else agent.message
        changed["active"] = active
    agent.save()
    audit_record(project=project, actor=by, action=AuditAction.AGENT_CHANGE, target=agent.name,
                 data=changed)
    return agent


def agent_switch_off(*, agent: Agent, message: str) -> None:
    """Turn a failing agent off, saying why (a missing or corrupt artifact)."""
    Agent.objects.filter(pk=agent.pk).update(active=False, message=message[:500])
    agent.active, agent.message = False, message[:500]
