"""The annotator's API: next document, skip, one's own annotation; everyone's for reviewers."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation import selectors
from annotation.models import Document
from annotation.serializers import (
    AnnotationInput,
    AnnotationOfOutput,
    AnnotationOutput,
    NextOutput,
    SavedStateOutput,
    SkipInput,
    next_data,
)
from annotation.services.annotations import annotation_write
from annotation.services.assignments import NotAssigned, assignment_next, assignment_skip
from projects.errors import ServiceError
from projects.permissions import Access, Right, authorize


def _leased(access: Access, request: Request, document_id: int) -> Document:
    """The requester's document: 404 if the project lacks it, 403 if it is not theirs."""
    document = selectors.labeling_document(project=access.project, user=request.user,
                                           document_id=document_id)
    if document is not None:
        return document
    if not access.project.documents.filter(pk=document_id).exists():
        raise Http404("No such document.")
    raise NotAssigned(_("This document is not assigned to you."),
                      [{"field": "document", "message": _("not assigned to you")}])


class NextApi(APIView):
    @extend_schema(responses={200: NextOutput, 204: OpenApiResponse(description="Nothing left")})
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.LABEL)
        if problems := selectors.setup_problems(project=access.project):
            raise ServiceError(_("Labeling cannot start: the project's set-up is incomplete."),
                               problems)
        assignment = assignment_next(project=access.project, user=request.user)
        if assignment is None:
            return Response(status=204)
        return Response(next_data(selectors.next_answer(
            assignment=assignment, project=access.project, user=request.user)))


class SkipApi(APIView):
    @extend_schema(request=SkipInput, responses={204: OpenApiResponse(description="Skipped")})
    def post(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.LABEL)
        document = _leased(access, request, document_id)
        data = SkipInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment_skip(project=access.project, user=request.user, document=document,
                        reason=data.validated_data["reason"])
        return Response(status=204)


class AnnotationApi(APIView):
    @extend_schema(responses=AnnotationOutput)
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.LABEL)
        document = _leased(access, request, document_id)
        return Response(selectors.annotation_of(document=document, user=request.user))

    @extend_schema(request=AnnotationInput, responses=PolymorphicProxySerializer(
        component_name="SaveAnswer", resource_type_field_name=None,
        serializers=[AnnotationOutput, SavedStateOutput]), description=(
        "Save the whole annotation, or only its `changes`; the answer to a save of changes "
        "holds only status, version and seconds_spent."))
    def put(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.LABEL)
        data = AnnotationInput(data=request.data)
        data.is_valid(raise_exception=True)
        content = {k: data.validated_data[k] for k in ("entities", "relations", "sentiment")}
        saved = annotation_write(project=access.project, document_id=document_id,
                                 user=request.user, changes=data.validated_data.get("changes"),
                                 content=content, version=data.validated_data["version"],
                                 status=data.validated_data["status"],
                                 seconds_spent=data.validated_data["seconds_spent"])
        return Response(selectors.saved_answer(saved=saved, project=access.project,
                                               brief="changes" in data.validated_data))


class AnnotationListApi(APIView):
    @extend_schema(responses=AnnotationOfOutput(many=True))
    def get(self, request: Request, project_id: int, document_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.SEE_OTHERS)
        document = access.project.documents.filter(pk=document_id).first()
        if document is None:
            raise Http404("No such document.")
        return Response(selectors.annotations_of_document(document=document))
