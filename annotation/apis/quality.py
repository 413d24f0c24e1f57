from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors.quality import quality_of
from projects.permissions import Right, authorize


class QualityQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False,
                                     default=0)


class AnnotatorQuality(serializers.Serializer):
    username = serializers.CharField()
    model = serializers.ChoiceField(["dawid_skene", "mace"])
    reliability = serializers.FloatField(allow_null=True)
    interval = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                     min_length=2, max_length=2)
    items = serializers.IntegerField()


class DocumentQuality(serializers.Serializer):
    id = serializers.IntegerField()
    posterior = serializers.DictField(child=serializers.FloatField())


class QualityOutput(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    annotators = AnnotatorQuality(many=True)
    documents = DocumentQuality(many=True)
    next_after = serializers.IntegerField(allow_null=True)
    label_issues = serializers.ListField(child=serializers.DictField(), allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class QualityApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("after", int, description="The documents "
                                                "after this id (the answer's next_after)")],
                   responses={200: QualityOutput})
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.ADJUDICATE)
        query = QualityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = quality_of(project=access.project, after=query.validated_data["after"])
        return Response(QualityOutput(answer).data)
