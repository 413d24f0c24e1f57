"""The gold API: a document's adjudicated annotation, read and written by reviewers."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.models import Document
from annotation.selectors.gold import gold_of
from annotation.serializers import GoldInput, GoldOutput
from annotation.services.gold import gold_save
from projects.permissions import Access, Right, authorize


def _document(access: Access, document_id: int) -> Document:
    document = access.project.documents.select_related("project").filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return document


class GoldApi(APIView):
    @extend_schema(responses=GoldOutput)
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.ADJUDICATE)
        return Response(GoldOutput(gold_of(document=_document(access, document_id))).data)

    @extend_schema(request=GoldInput, responses=GoldOutput)
    def put(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.ADJUDICATE)
        document = _document(access, document_id)
        data = GoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        content = {k: data.validated_data[k] for k in ("entities", "relations", "sentiment")}
        saved = gold_save(document=document, content=content, by=request.user,
                          version=data.validated_data["version"])
        return Response(GoldOutput({**saved.content, "version": saved.annotation.version,
                                    "updated_by": request.user.get_username(),
                                    "updated_at": saved.annotation.updated_at}).data)
