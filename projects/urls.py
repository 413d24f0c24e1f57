from django.urls import path

from projects.views import account, audit, jobs, labels, members, projects

# Served with annotation/urls.py under the `projects` namespace (config/urls.py).
P = "projects/<int:project_id>"

urlpatterns = [
    path("projects/new/", projects.project_create, name="create"),
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
    path("jobs/<int:job_id>/", jobs.job_detail, name="job"),
    path("account/", account.account, name="account"),
]
