"""The annotation pages' routes. config/urls.py serves them with projects/urls.py under one
namespace, `projects`, so their names (`projects:workbench`...) and paths are the project's."""

from django.urls import path

from annotation.views import (
    agreement,
    document_manager,
    documents,
    exports,
    labeling,
    models,
    overview,
    progress,
    review,
)

P = "projects/<int:project_id>"

urlpatterns = [
    path("", overview.project_list, name="list"),
    path(f"{P}/", overview.project_detail, name="detail"),
    path(f"{P}/documents/", documents.document_list, name="documents"),
    path(f"{P}/documents/requeue/", documents.documents_requeue_page,
         name="documents-requeue"),
    path(f"{P}/documents/bulk/", document_manager.documents_bulk_page, name="documents-bulk"),
    path(f"{P}/documents/<int:document_id>/", document_manager.document_page, name="document"),
    path(f"{P}/import/", documents.import_page, name="import"),
    path(f"{P}/label/", labeling.label_next, name="label"),
    path(f"{P}/agreement/", agreement.agreement_page, name="agreement"),
    path(f"{P}/agreement/balance/", agreement.balance_page, name="balance"),
    path(f"{P}/models/", models.models_page, name="models"),
    path(f"{P}/exports/", exports.exports_page, name="exports"),
    path(f"{P}/exports/<int:version_id>/delete/", exports.version_delete_view,
         name="version-delete"),
    path(f"{P}/documents/<int:document_id>/label/", labeling.workbench, name="workbench"),
    path(f"{P}/documents/<int:document_id>/skip/", labeling.skip, name="skip"),
    path(f"{P}/review/", review.review_queue_page, name="review"),
    path(f"{P}/progress/", progress.progress_page, name="progress"),
    path(f"{P}/gold-checks/", progress.gold_checks_page, name="gold-checks"),
    path(f"{P}/documents/<int:document_id>/review/", review.adjudicate_page,
         name="adjudicate"),
]
