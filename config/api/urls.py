from django.urls import path, re_path

from annotation.apis import (
    agents,
    agreement,
    exports,
    gold,
    gold_checks,
    labeling,
    progress,
    quality,
)
from annotation.apis import documents as annotation_apis
from config.api.errors import json_404
from config.api.root import ApiRootView
from config.api.schema import SchemaView, SwaggerView
from projects import apis

P = "projects/<int:project_id>"
D = f"{P}/documents/<int:document_id>"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("auth/token/", apis.TokenApi.as_view(), name="token"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(
        url_name="api:schema", template_name="api/swagger_ui.html"), name="docs"),
    path("jobs/<int:job_id>/", apis.JobDetailApi.as_view(), name="job"),
    path("projects/", apis.ProjectListApi.as_view(), name="projects"),
    path(f"{P}/", apis.ProjectDetailApi.as_view(), name="project"),
    path(f"{P}/labels/", apis.LabelListApi.as_view(), name="labels"),
    path(f"{P}/labels/<int:label_id>/", apis.LabelDetailApi.as_view(), name="label"),
    path(f"{P}/members/", apis.MemberListApi.as_view(), name="members"),
    path(f"{P}/members/<str:username>/", apis.MemberDetailApi.as_view(), name="member"),
    path(f"{P}/documents/", annotation_apis.DocumentListApi.as_view(), name="documents"),
    path(f"{P}/documents/<int:document_id>/", annotation_apis.DocumentDetailApi.as_view(),
         name="document"),
    path(f"{P}/documents/bulk/", annotation_apis.DocumentBulkApi.as_view(),
         name="documents-bulk"),
    path(f"{P}/imports/", annotation_apis.ImportApi.as_view(), name="imports"),
    path(f"{P}/next/", labeling.NextApi.as_view(), name="next"),
    path(f"{P}/agreement/", agreement.AgreementApi.as_view(), name="agreement"),
    path(f"{P}/quality/", quality.QualityApi.as_view(), name="quality"),
    path(f"{P}/progress/", progress.ProgressApi.as_view(), name="progress"),
    path(f"{P}/gold-checks/", gold_checks.GoldCheckListApi.as_view(), name="gold-checks"),
    path(f"{P}/gold-checks/<int:document_id>/", gold_checks.GoldCheckDetailApi.as_view(),
         name="gold-check"),
    path(f"{P}/export/", exports.ExportStreamApi.as_view(), name="export"),
    path(f"{P}/exports/", exports.VersionListApi.as_view(), name="exports"),
    path(f"{P}/exports/<int:version_id>/", exports.VersionDetailApi.as_view(), name="version"),
    path(f"{P}/exports/<int:version_id>/download/", exports.VersionDownloadApi.as_view(),
         name="version-download"),
    path(f"{P}/agents/", agents.AgentListApi.as_view(), name="agents"),
    path(f"{P}/agents/<str:name>/", agents.AgentDetailApi.as_view(), name="agent"),
    path(f"{P}/agents/<str:name>/train/", agents.TrainApi.as_view(), name="agent-train"),
    path(f"{D}/suggestions/", agents.SuggestionsApi.as_view(), name="suggestions"),
    path(f"{D}/annotation/", labeling.AnnotationApi.as_view(), name="annotation"),
    path(f"{D}/annotations/", labeling.AnnotationListApi.as_view(), name="annotations"),
    path(f"{D}/skip/", labeling.SkipApi.as_view(), name="skip"),
    path(f"{D}/gold/", gold.GoldApi.as_view(), name="gold"),
    # Anything else under /api/ answers a JSON 404, whatever DEBUG says.
    re_path(r"^.*$", json_404, name="not-found"),
]
