from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from annotation.models import (
    Annotation,
    Assignment,
    Document,
    ImportedIdentity,
    Relation,
    SentimentChoice,
    Span,
)
from projects.admin import ReadOnlyAdmin


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "external_id", "project", "status", "is_gold_check", "created_at"]
    list_filter = ["status", "is_gold_check"]
    search_fields = ["external_id"]
    raw_id_fields = ["project"]
    readonly_fields = ["text", "content_hash"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        # The list shows no text: a page of long texts is not read (the form loads it).
        return super().get_queryset(request).defer("text")


class SpanInline(admin.TabularInline):
    model = Span
    extra = 0
    raw_id_fields = ["label"]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "kind", "annotator", "status", "version", "updated_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["project", "document", "annotator"]
    inlines = [SpanInline]
    show_full_result_count = False


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["id", "annotation", "start", "end", "label"]
    raw_id_fields = ["annotation", "label"]
    show_full_result_count = False


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    list_display = ["id", "annotation", "head", "tail", "label"]
    raw_id_fields = ["annotation", "head", "tail", "label"]
    show_full_result_count = False


@admin.register(SentimentChoice)
class SentimentChoiceAdmin(admin.ModelAdmin):
    list_display = ["id", "annotation", "label"]
    raw_id_fields = ["annotation", "label"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "annotator", "status", "expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["project", "document", "annotator"]
    show_full_result_count = False


@admin.register(ImportedIdentity)
class ImportedIdentityAdmin(ReadOnlyAdmin):
    """Read-only: imports make them (annotation/services/imports/identities.py), and project_purge
    deletes them with their accounts; deleting one alone would leave its annotations to a
    bare inactive account."""

    list_display = ["name", "project", "user", "created_at"]
    search_fields = ["name", "user__username", "project__name"]
    raw_id_fields = ["project", "user"]
