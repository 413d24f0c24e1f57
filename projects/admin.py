from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest

from projects import services
from projects.models import AuditEvent, Job, Label, Membership, Project


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0
    fields = ["kind", "name", "color", "shortcut", "order", "value", "directed"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "tasks", "overlap", "pii_policy", "created_at", "deleted_at"]
    search_fields = ["name"]
    inlines = [LabelInline, MembershipInline]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "project", "shortcut", "order", "color"]
    list_filter = ["kind"]
    search_fields = ["name", "project__name"]
    filter_horizontal = ["head_labels", "tail_labels"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "project", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["created_at", "started_at", "finished_at", "heartbeat_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows its rows and changes none: no adding, editing or deleting."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is written by services, never edited."""

    list_display = ["created_at", "action", "target", "actor", "project"]
    list_filter = ["action"]
    search_fields = ["target", "actor__username", "project__name"]
    date_hierarchy = "created_at"


admin.site.unregister(User)


@admin.register(User)
class ConcordUserAdmin(UserAdmin):
    """Django's user admin; deactivating an account here revokes its API tokens at once
    (CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE). Its password form needs nothing: set_password()
    and save() reach the password_changed() hook (config/auth.py)."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and hasattr(obj, "imported_identity"):
            # An imported identity (annotation.models.ImportedIdentity) never logs in.
            return [*fields, "is_active", "is_staff", "is_superuser", "groups",
                    "user_permissions"]
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            by = request.user if isinstance(request.user, User) else None
            services.tokens_revoke_for_credentials(user=obj, reason="deactivated", by=by)
