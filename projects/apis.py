from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import PageNumberPagination
from projects import selectors, services
from projects.permissions import Right, authorize, can_create_projects
from projects.serializers import (
    JobOutput,
    LabelInput,
    LabelOutput,
    MemberInput,
    MemberOutput,
    MemberRoleInput,
    ProjectInput,
    ProjectOutput,
)


class ProjectListApi(APIView):
    pagination_class = PageNumberPagination  # for the schema: the answer is a page

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.project_list(user=request.user), request, self)
        return paginator.get_paginated_response(ProjectOutput(page, many=True).data)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def post(self, request: Request) -> Response:
        if not can_create_projects(request.user):
            raise PermissionDenied("You may not create projects.")
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(creator=request.user, **data.validated_data)
        return Response(ProjectOutput(project, context={"role": "manager"}).data, status=201)


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectOutput)
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        return Response(ProjectOutput(access.project, context={"role": access.role}).data)

    @extend_schema(request=ProjectInput, responses=ProjectOutput)
    def put(self, request: Request, project_id: int, partial: bool = False) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        data = ProjectInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        project = services.project_update(project=access.project, **data.validated_data)
        return Response(ProjectOutput(project, context={"role": access.role}).data)

    @extend_schema(request=ProjectInput, responses=ProjectOutput)
    def patch(self, request: Request, project_id: int) -> Response:
        return self.put(request, project_id, partial=True)

    @extend_schema(responses={202: JobOutput})
    def delete(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        job = services.project_delete(project=access.project, by=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class LabelListApi(APIView):
    @extend_schema(responses=LabelOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        labels = selectors.label_list(project=access.project, kind=request.query_params.get("kind"))
        return Response(LabelOutput(labels, many=True).data)

    @extend_schema(request=LabelInput, responses={201: LabelOutput})
    def post(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        data = LabelInput(data=request.data)
        data.is_valid(raise_exception=True)
        label = services.label_create(project=access.project, **data.validated_data)
        return Response(LabelOutput(label).data, status=201)


class LabelDetailApi(APIView):
    @extend_schema(responses=LabelOutput)
    def get(self, request: Request, project_id: int, label_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.VIEW)
        return Response(LabelOutput(get_object_or_404(access.project.labels, pk=label_id)).data)

    @extend_schema(request=LabelInput, responses=LabelOutput)
    def put(self, request: Request, project_id: int, label_id: int, partial: bool = False
            ) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        label = get_object_or_404(access.project.labels, pk=label_id)
        data = LabelInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return Response(LabelOutput(services.label_update(label=label, **data.validated_data)).data)

    @extend_schema(request=LabelInput, responses=LabelOutput)
    def patch(self, request: Request, project_id: int, label_id: int) -> Response:
        return self.put(request, project_id, label_id, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, label_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        services.label_delete(label=get_object_or_404(access.project.labels, pk=label_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListApi(APIView):
    @extend_schema(responses=MemberOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        return Response(MemberOutput(selectors.member_list(project=access.project), many=True).data)

    @extend_schema(request=MemberInput, responses={201: MemberOutput})
    def post(self, request: Request, project_id: int) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_add(project=access.project, by=request.user,
                                     **data.validated_data)
        return Response(MemberOutput(member).data, status=201)


class MemberDetailApi(APIView):
    @extend_schema(responses=MemberOutput)
    def get(self, request: Request, project_id: int, username: str) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        member = selectors.membership_get(project=access.project, username=username)
        return Response(MemberOutput(member).data)

    @extend_schema(request=MemberRoleInput, responses=MemberOutput)
    def patch(self, request: Request, project_id: int, username: str) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        member = selectors.membership_get(project=access.project, username=username)
        data = MemberRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_update(membership=member, by=request.user,
                                        **data.validated_data)
        return Response(MemberOutput(member).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, username: str) -> Response:
        access = authorize(user=request.user, project_id=project_id, right=Right.MANAGE)
        member = selectors.membership_get(project=access.project, username=username)
        services.member_remove(membership=member, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobDetailApi(APIView):
    @extend_schema(responses=JobOutput)
    def get(self, request: Request, job_id: int) -> Response:
        return Response(JobOutput(selectors.job_get(user=request.user, job_id=job_id)).data)


class TokenApi(ObtainAuthToken):
    """POST {username, password} -> {token}: the user's token, created (audited) if missing."""

    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        # authenticate() gets Django's request, where the login throttle (config/auth.py)
        # marks a lockout for its middleware to answer.
        data = self.serializer_class(data=request.data, context={"request": request._request})
        data.is_valid(raise_exception=True)
        token = services.token_obtain(user=data.validated_data["user"])
        return Response({"token": token.key})
