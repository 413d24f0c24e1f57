from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation import selectors
from annotation.serializers import DocumentFilter, DocumentOutput, ImportInput
from annotation.services.imports import check_size, import_start
from config.api.pagination import CursorPagination
from projects.permissions import Right, authorize
from projects.serializers import JobOutput


class DocumentListApi(APIView):
    pagination_class = CursorPagination  # for the schema: the answer is a page

    @extend_schema(parameters=[DocumentFilter], responses=DocumentOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.BROWSE)
        filters = DocumentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        docs = selectors.document_list(project=access.project, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(docs, request, self)
        return paginator.get_paginated_response(DocumentOutput(page, many=True).data)


class DocumentDetailApi(APIView):
    @extend_schema(responses=DocumentOutput,
                   parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)])
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.BROWSE)
        document = get_object_or_404(access.project.documents, pk=document_id)
        return Response(DocumentOutput(document).data)


class ImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={202: JobOutput})
    def post(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        check_size(int(request.META.get("CONTENT_LENGTH") or 0))
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = import_start(project=access.project, by=request.user,
                           upload=data.validated_data["file"], options=data.options())
        return Response(JobOutput(job).data, status=202)
