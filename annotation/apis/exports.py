from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.models import DatasetVersion
from annotation.pure.exports import FORMATS
from annotation.selectors.exports import SCOPES
from annotation.serializers import DocumentFilter, json_ready
from annotation.services.document_actions import Selection
from annotation.services.exports import export_start, export_stream, version_delete
from projects.permissions import Access, Right, authorize
from projects.serializers import JobOutput


class ExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(sorted(FORMATS), default="jsonl")
    scope = serializers.ChoiceField(SCOPES, default="gold")
    pseudonymize = serializers.BooleanField(default=False)


class ExportInput(ExportQuery):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                required=False, allow_empty=False, max_length=10_000,
                                help_text="just these documents")
    filter = DocumentFilter(required=False, help_text="just the documents matching it "
                                                      "(the document list's filters)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "ids" in attrs and "filter" in attrs:
            raise serializers.ValidationError(_("Give ids or filter, not both."))
        return attrs

    def selection(self) -> Selection | None:
        data = self.validated_data
        if "ids" in data:
            return Selection(ids=list(dict.fromkeys(data["ids"])))
        return Selection(filter=json_ready(data["filter"])) if "filter" in data else None


class VersionOutput(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DatasetVersion
        fields = ["id", "name", "format", "scope", "pseudonymized", "created_by", "created_at",
                  "documents", "annotations", "size", "sha256", "manifest", "job"]


class PassthroughRenderer(BaseRenderer):
    """Lets a download be asked for with any Accept header; errors still render as JSON."""

    media_type = "*/*"
    format = "bin"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict | None = None) -> Any:
        return data


DOWNLOAD_RENDERERS = [JSONRenderer, PassthroughRenderer]


# A download's 200 is the format's bytes, with the format's content type.
DOWNLOAD = {(200, media): OpenApiTypes.BINARY
            for media in sorted({f.content_type.split(";")[0] for f in FORMATS.values()})}


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}"'


class ExportStreamApi(APIView):
    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(parameters=[ExportQuery],
                   responses=DOWNLOAD)
    def get(self, request: Request, project_id: int) -> StreamingHttpResponse:
        access = authorize(user=request.user, project_id=project_id, right=Right.EXPORT)
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        export, chunks = export_stream(project=access.project, fmt=data["format"],
                                       scope=data["scope"], pseudonymize=data["pseudonymize"])
        response = StreamingHttpResponse(chunks, content_type=export.content_type)
        response["Content-Disposition"] = _attachment(
            f"project-{access.project.pk}-{data['scope']}.{export.extension}")
        return response


class VersionListApi(APIView):
    @extend_schema(responses=VersionOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.EXPORT)
        return Response(VersionOutput(access.project.versions.all(), many=True).data)

    @extend_schema(request=ExportInput, responses={202: JobOutput})
    def post(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.EXPORT)
        data = ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = export_start(project=access.project, by=request.user, fmt=v["format"],
                           scope=v["scope"], name=v["name"], pseudonymize=v["pseudonymize"],
                           selection=data.selection())
        return Response(JobOutput(job).data, status=202)


def _version(access: Access, version_id: int) -> DatasetVersion:
    version = access.project.versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version.")
    return version


VERSION = OpenApiParameter("version_id", int, OpenApiParameter.PATH)


class VersionDetailApi(APIView):
    @extend_schema(responses=VersionOutput, parameters=[VERSION])
    def get(self, request: Request, project_id: int, version_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.EXPORT)
        return Response(VersionOutput(_version(access, version_id)).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted")}, parameters=[VERSION])
    def delete(self, request: Request, project_id: int, version_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        version_delete(version=_version(access, version_id), by=request.user)
        return Response(status=204)


class VersionDownloadApi(APIView):
    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(parameters=[VERSION],
                   responses=DOWNLOAD)
    def get(self, request: Request, project_id: int, version_id: int) -> FileResponse:
        access = authorize(user=request.user, project_id=project_id, right=Right.EXPORT)
        version = _version(access, version_id)
        response = FileResponse(default_storage.open(version.file, "rb"), as_attachment=True,
                                filename=version.file.rsplit("/", 1)[-1],
                                content_type=FORMATS[version.format].content_type)
        response["ETag"] = f'"{version.sha256}"'
        response["Digest"] = f"sha-256={version.sha256}"
        return response
