"""The progress figures (docs/dashboards.md)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors.progress import dashboard_json, progress_dashboard
from annotation.services.progress import progress_current
from projects.permissions import Right, authorize

ProgressOutput = inline_serializer("ProgressOutput", fields={
    "computed_at": serializers.DateTimeField(),
    "updating": serializers.BooleanField(),
    "documents": serializers.DictField(child=serializers.IntegerField()),
    "gold_checks": serializers.IntegerField(),
    "per_day": serializers.ListField(child=serializers.DictField()),
    "agreement_computed_at": serializers.DateTimeField(required=False, allow_null=True),
    "annotators": serializers.ListField(child=serializers.DictField(), required=False),
})


class ProgressApi(APIView):
    @extend_schema(responses=ProgressOutput)
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.PROGRESS)
        snapshot, updating = progress_current(project=access.project)
        board = progress_dashboard(project=access.project, snapshot=snapshot, updating=updating,
                                   team=access.can(Right.SEE_OTHERS),
                                   checks=access.can(Right.MANAGE))
        return Response(dashboard_json(board))
