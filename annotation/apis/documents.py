from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation import selectors
from annotation.selectors.document_pages import documents_page
from annotation.selectors.document_search import document_for, visible_query
from annotation.serializers import (
    DocumentBulkInput,
    DocumentBulkOutput,
    DocumentFilter,
    DocumentListOutput,
    DocumentOutput,
    ImportInput,
    OwnDocumentListOutput,
    OwnDocumentOutput,
)
from annotation.services.document_actions import documents_bulk
from annotation.services.imports.jobs import check_size, import_start
from config.api.pagination import KeysetPagination
from projects.models import Job
from projects.permissions import Right, authorize
from projects.serializers import JobOutput


class DocumentListApi(APIView):
    pagination_class = KeysetPagination  # for the schema: the answer is a page

    @extend_schema(parameters=[DocumentFilter], responses=PolymorphicProxySerializer(
        component_name="DocumentListRow", resource_type_field_name=None, many=True,
        serializers=[DocumentListOutput, OwnDocumentListOutput]))
    def get(self, request: Request, project_id: int) -> Response:
        """The documents that match every filter, each with the beginning of its text
        (`text_truncated` says whether there is more; the document's own endpoint gives all
        of it). Annotators see the documents they were handed."""
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        filters = DocumentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = visible_query(access=access, query=filters.query())
        paginator = self.pagination_class()
        page = documents_page(access=access, user=request.user, query=query,
                              size=paginator.size(request),
                              after=request.query_params.get("after"),
                              before=request.query_params.get("before"))
        if access.can(Right.SEE_OTHERS):
            selectors.documents_with_skips(documents=page.documents)
        output = DocumentListOutput if access.can(Right.BROWSE) else OwnDocumentListOutput
        return paginator.response(request, output(page.documents, many=True).data,
                                  page.next_after, page.prev_before, page.partial)


class DocumentDetailApi(APIView):
    @extend_schema(responses=PolymorphicProxySerializer(
        component_name="DocumentRow", resource_type_field_name=None,
        serializers=[DocumentOutput, OwnDocumentOutput]),
        parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)])
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        document = document_for(access=access, user=request.user, document_id=document_id)
        if access.can(Right.SEE_OTHERS):
            selectors.documents_with_skips(documents=[document])
        output = DocumentOutput if access.can(Right.BROWSE) else OwnDocumentOutput
        return Response(output(document).data)


class DocumentBulkApi(APIView):
    @extend_schema(request=DocumentBulkInput,
                   responses={200: DocumentBulkOutput, 202: JobOutput})
    def post(self, request: Request, project_id: int) -> Response:
        """Act on many documents, chosen by `ids` or by the list's `filter`: at once for up
        to a page of them (200 and the outcome), else as a job (202). `requeue` returns
        skipped documents to the queue (one UPDATE, so never a job)."""
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        data = DocumentBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = documents_bulk(project=access.project, by=request.user,
                              action=data.validated_data["action"], selection=data.selection(),
                              annotators=data.validated_data["annotators"])
        if isinstance(done, Job):
            return Response(JobOutput(done).data, status=202)
        return Response(DocumentBulkOutput(done.as_dict()).data)


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
