"""`GET /api/v1/`: where a client starts, the links to the schema, the docs and the top-level
resources. Open to anyone: it reveals nothing a project holds."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootOutput(serializers.Serializer):
    schema = serializers.URLField(help_text="The OpenAPI schema (YAML; ?format=json for JSON).")
    docs = serializers.URLField(help_text="Swagger UI over the schema.")
    auth_token = serializers.URLField(help_text="POST {username, password} for {token}.")
    projects = serializers.URLField(help_text="The projects the requester is a member of.")
    jobs = serializers.CharField(help_text="A background job, by its id: a URI template "
                                           "with {job_id}.")


class ApiRootView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="api_root", tags=["api"], responses=ApiRootOutput,
                   summary="The API's entry points")
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return reverse(f"api:{name}", request=request)

        return Response({"schema": url("schema"), "docs": url("docs"),
                         "auth_token": url("token"), "projects": url("projects"),
                         "jobs": url("root") + "jobs/{job_id}/"})
