from django.contrib import admin
from django.http import HttpRequest

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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services, never edited."""

    list_display = ["created_at", "action", "target", "actor", "project"]
    list_filter = ["action"]
    search_fields = ["target", "actor__username", "project__name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
