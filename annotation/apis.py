from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation import selectors
from annotation.serializers import DocumentFilter, DocumentOutput
from config.api.pagination import CursorPagination
from projects.permissions import Right, authorize


class DocumentListApi(APIView):
    @extend_schema(parameters=[DocumentFilter], responses=DocumentOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.BROWSE)
        filters = DocumentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        docs = selectors.document_list(project=access.project, **filters.validated_data)
        paginator = CursorPagination()
        page = paginator.paginate_queryset(docs, request, self)
        return paginator.get_paginated_response(DocumentOutput(page, many=True).data)


class DocumentDetailApi(APIView):
    @extend_schema(responses=DocumentOutput,
                   parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)])
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.BROWSE)
        document = get_object_or_404(access.project.documents, pk=document_id)
        return Response(DocumentOutput(document).data)
