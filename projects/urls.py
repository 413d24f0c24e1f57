from django.urls import path

from annotation import agreement_views, export_views, labeling_views, progress_views, review_views
from annotation import views as annotation_views
from projects.views import account, audit, jobs, labels, members, projects

app_name = "projects"
P = "projects/<int:project_id>"

urlpatterns = [
    path("", projects.project_list, name="list"),
    path("projects/new/", projects.project_create, name="create"),
    path(f"{P}/", projects.project_detail, name="detail"),
    path(f"{P}/settings/", projects.project_settings, name="settings"),
    path(f"{P}/guidelines/", projects.project_guidelines, name="guidelines"),
    path(f"{P}/guidelines/preview/", projects.guidelines_preview, name="guidelines-preview"),
    path(f"{P}/delete/", projects.project_delete, name="delete"),
    path(f"{P}/labels/", labels.label_list, name="labels"),
    path(f"{P}/labels/<int:label_id>/edit/", labels.label_edit, name="label-edit"),
    path(f"{P}/labels/<int:label_id>/delete/", labels.label_delete, name="label-delete"),
    path(f"{P}/members/", members.member_list, name="members"),
    path(f"{P}/members/<str:username>/role/", members.member_role, name="member-role"),
    path(f"{P}/members/<str:username>/remove/", members.member_remove, name="member-remove"),
    path(f"{P}/audit/", audit.audit_log, name="audit"),
    path(f"{P}/documents/", annotation_views.document_list, name="documents"),
    path(f"{P}/documents/requeue/", annotation_views.documents_requeue_page,
         name="documents-requeue"),
    path(f"{P}/import/", annotation_views.import_page, name="import"),
    path(f"{P}/label/", labeling_views.label_next, name="label"),
    path(f"{P}/agreement/", agreement_views.agreement_page, name="agreement"),
    path(f"{P}/agreement/balance/", agreement_views.balance_page, name="balance"),
    path(f"{P}/exports/", export_views.exports_page, name="exports"),
    path(f"{P}/exports/<int:version_id>/delete/", export_views.version_delete_view,
         name="version-delete"),
    path(f"{P}/documents/<int:document_id>/label/", labeling_views.workbench, name="workbench"),
    path(f"{P}/documents/<int:document_id>/skip/", labeling_views.skip, name="skip"),
    path(f"{P}/review/", review_views.review_queue_page, name="review"),
    path(f"{P}/progress/", progress_views.progress_page, name="progress"),
    path(f"{P}/gold-checks/", progress_views.gold_checks_page, name="gold-checks"),
    path(f"{P}/documents/<int:document_id>/review/", review_views.adjudicate_page,
         name="adjudicate"),
    path("jobs/<int:job_id>/", jobs.job_detail, name="job"),
    path("account/", account.account, name="account"),
]
