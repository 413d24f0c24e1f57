from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors.agreement import agreement_latest
from annotation.services.agreement.jobs import agreement_start
from projects.permissions import Right, authorize
from projects.serializers import JobOutput

EMPTY = {"computed_at": None, "documents": 0, "annotators": [], "sentiment": None,
         "entities": None, "relations": None,
         "notes": ["No report has been computed yet; POST to this URL to compute one."]}


class AgreementApi(APIView):
    @extend_schema(responses={200: OpenApiResponse(description="The latest report "
                                                   "(DESIGN.md's shape)")})
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.AGREEMENT)
        report = agreement_latest(project=access.project)
        if report is None:
            return Response(EMPTY)
        return Response(report.report)

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.RECOMPUTE)
        job = agreement_start(project=access.project, by=request.user)
        return Response(JobOutput(job).data, status=202)
