"""Agents and suggestions (DESIGN.md): the project's agents, switching them and configuring
the LLM agent, training runs as jobs, a document's suggestions, and decisions on them."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.labeling import _leased
from annotation.models import Agent, Decision, Document, SuggestionKind
from annotation.selectors.agents import agent_named, agents_of, suggestions_for
from annotation.serializers import SuggestionsOutput
from annotation.services.agents.decisions import DecisionInput, suggestions_decide
from annotation.services.agents.registry import agent_update
from annotation.services.agents.training import training_start
from projects.permissions import Access, Right, authorize
from projects.serializers import JobOutput


class AgentOutput(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    active = serializers.BooleanField()
    version = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()
    accept_rate = serializers.SerializerMethodField()
    message = serializers.CharField()
    config = serializers.SerializerMethodField()

    def get_version(self, agent: Agent) -> str | None:
        return None if agent.version is None else str(agent.version.number)

    def get_metrics(self, agent: Agent) -> dict | None:
        version = agent.version
        if version is None:
            return None
        return {**version.metrics, "trained_on": version.trained_on,
                "trained_at": version.created_at.isoformat(),
                "training_seconds": version.training_seconds,
                "training_sha256": version.training_sha256}

    def get_accept_rate(self, agent: Agent) -> dict | None:
        return getattr(agent, "accept", None) or None

    def get_config(self, agent: Agent) -> dict | None:
        """The LLM agent's endpoint; the secret is never shown, only whether it is set."""
        if agent.kind != "llm":
            return None
        return {**{k: agent.config.get(k, "") for k in ("url", "model", "prompt")},
                "secret_set": bool(agent.secret)}


class AgentInput(serializers.Serializer):
    active = serializers.BooleanField(required=False)
    url = serializers.URLField(required=False, max_length=500)
    model = serializers.CharField(required=False, max_length=200)
    prompt = serializers.CharField(required=False, max_length=20_000, trim_whitespace=False)
    secret = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                   write_only=True)


class AgentListApi(APIView):
    @extend_schema(responses={200: AgentOutput(many=True)})
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.AGREEMENT)
        return Response(AgentOutput(agents_of(project=access.project), many=True).data)


class AgentDetailApi(APIView):
    @extend_schema(responses={200: AgentOutput})
    def get(self, request: Request, project_id: int, name: str) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.AGREEMENT)
        agent = agent_named(project=access.project, name=name)
        if agent is None:
            raise Http404("No such agent.")
        return Response(AgentOutput(agent).data)

    @extend_schema(request=AgentInput, responses={200: AgentOutput})
    def patch(self, request: Request, project_id: int, name: str) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        if agent_named(project=access.project, name=name) is None:
            raise Http404("No such agent.")
        data = AgentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        llm = {k: values.pop(k) for k in ("url", "model", "prompt") if k in values}
        agent_update(project=access.project, name=name, by=request.user,
                     active=values.get("active"), llm=llm or None, secret=values.get("secret"))
        return Response(AgentOutput(agent_named(project=access.project, name=name)).data)


class TrainApi(APIView):
    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request: Request, project_id: int, name: str) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        if agent_named(project=access.project, name=name) is None:
            raise Http404("No such agent.")
        job = training_start(project=access.project, by=request.user, agents=[name])
        return Response(JobOutput(job).data, status=202)


def _document(access: Access, request: Request, document_id: int) -> Document:
    """Any document of the project for those who see others' work; else one's own lease."""
    if access.can(Right.SEE_OTHERS):
        document = access.project.documents.filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        return document
    access.require(Right.LABEL)
    return _leased(access, request, document_id)


class DecisionItem(serializers.Serializer):
    agent = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(SuggestionKind.choices)
    label = serializers.CharField(max_length=100)
    decision = serializers.ChoiceField(Decision.choices)
    start = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    end = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    tail_start = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    tail_end = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class DecisionsInput(serializers.Serializer):
    decisions = DecisionItem(many=True, allow_empty=False)


class DecisionsOutput(serializers.Serializer):
    recorded = serializers.IntegerField()


class SuggestionsApi(APIView):
    @extend_schema(responses={200: SuggestionsOutput})
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        document = _document(access, request, document_id)
        return Response(suggestions_for(project=access.project, document=document))

    @extend_schema(request=DecisionsInput, responses={200: DecisionsOutput})
    def post(self, request: Request, project_id: int, document_id: int) -> Response:
        """Record accept/reject decisions on the document's suggestions."""
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        document = _document(access, request, document_id)
        data = DecisionsInput(data=request.data)
        data.is_valid(raise_exception=True)
        items = [DecisionInput(**item) for item in data.validated_data["decisions"]]
        n = suggestions_decide(project=access.project, document=document, user=request.user,
                               items=items)
        return Response({"recorded": n})
