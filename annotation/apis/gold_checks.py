"""Gold-check management: which documents are gold checks (docs/gold-checks.md)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors.gold_checks import gold_checks
from annotation.services.gold_checks import gold_checks_mark, gold_checks_unmark
from config.api.pagination import CursorPagination
from projects.permissions import Right, authorize


class GoldCheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()


class GoldCheckInput(serializers.Serializer):
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                      min_length=1, max_length=10_000)


class GoldCheckListApi(APIView):
    pagination_class = CursorPagination  # for the schema: the answer is a page

    @extend_schema(responses=GoldCheckOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(gold_checks(project=access.project), request, self)
        return paginator.get_paginated_response(GoldCheckOutput(page, many=True).data)

    @extend_schema(request=GoldCheckInput, responses=inline_serializer(
        "GoldCheckMarked", fields={"marked": serializers.IntegerField()}))
    def post(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        data = GoldCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        n = gold_checks_mark(project=access.project,
                             document_ids=data.validated_data["documents"])
        return Response({"marked": n})


class GoldCheckDetailApi(APIView):
    @extend_schema(request=None, responses={204: OpenApiResponse(description="Unmarked")})
    def delete(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        get_object_or_404(access.project.documents, pk=document_id)  # not a check: 204 too
        gold_checks_unmark(project=access.project, document_ids=[document_id])
        return Response(status=204)
