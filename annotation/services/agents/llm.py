"""The LLM agent's suggestions: an OpenAI-compatible endpoint the manager configured, asked
about the next open documents that have none of its suggestions yet. A call that fails
(timeout, an error status, an answer that is not the JSON asked for) costs the annotator
nothing: the document gets no suggestion and the agent's error count goes up. Quoted spans
that are not in the text are dropped and counted. The secret goes only to the endpoint."""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef

from annotation.models import Agent, AgentKind, Document, Suggestion
from annotation.pure.assist.llm import DEFAULT_PROMPT, LlmAnswer, LlmConfig, LlmError, suggest
from projects.models import Label, LabelKind, Project


def llm_config(agent: Agent) -> LlmConfig:
    return LlmConfig(url=agent.config.get("url", ""), model=agent.config.get("model", ""),
                     prompt=agent.config.get("prompt") or DEFAULT_PROMPT, secret=agent.secret,
                     timeout=settings.CONCORD_LLM_TIMEOUT,
                     allowed_networks=tuple(settings.CONCORD_WEBHOOK_ALLOWED_NETWORKS))


def llm_precompute(*, project: Project, limit: int | None = None) -> dict[str, int]:
    """Ask the switched-on LLM agent about up to `limit` (CONCORD_LLM_BATCH) open documents
    without its suggestions, in the order `next` hands them out."""
    agent = Agent.objects.filter(project=project, kind=AgentKind.LLM, active=True).first()
    if agent is None or not agent.config.get("url"):
        return {"documents": 0, "errors": 0, "dropped": 0}
    labels = {(kind, name): pk for pk, kind, name in
              Label.objects.filter(project=project).values_list("pk", "kind", "name")}
    names = {kind: [n for k, n in labels if k == kind] for kind in LabelKind.values}
    done = Suggestion.objects.filter(document=OuterRef("pk"), agent=agent)
    documents = (Document.objects.filter(project=project, status="new").exclude(Exists(done))
                 .order_by(F("rank").asc(nulls_last=True), "pk")
                 .values_list("pk", "text")[:limit or settings.CONCORD_LLM_BATCH])
    config, tally = llm_config(agent), {"documents": 0, "errors": 0, "dropped": 0}
    for pk, text in documents:
        try:
            answer = suggest(config, text=text, entity_labels=names[LabelKind.ENTITY],
                             sentiment_labels=names[LabelKind.SENTIMENT])
        except LlmError:
            tally["errors"] += 1
            continue
        tally["documents"] += 1
        tally["dropped"] += answer.dropped
        _store(project, agent, pk, answer, labels)
    Agent.objects.filter(pk=agent.pk).update(errors=F("errors") + tally["errors"],
                                             dropped=F("dropped") + tally["dropped"])
    return tally


@transaction.atomic
def _store(project: Project, agent: Agent, document_id: int, answer: LlmAnswer,
           labels: dict[tuple[str, str], int]) -> None:
    detail = {"model": answer.model, "prompt": answer.prompt}
    Suggestion.objects.filter(document_id=document_id, agent=agent).delete()
    Suggestion.objects.bulk_create([
        Suggestion(project=project, document_id=document_id, agent=agent,
                   model_version=answer.model[:100], kind=p.kind,
                   label_id=labels[(p.kind, p.label)], start=p.start, end=p.end,
                   score=min(max(p.score, 0.0), 1.0), detail=detail)
        for p in answer.predicted.proposals if (p.kind, p.label) in labels])
