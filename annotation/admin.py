from django.contrib import admin

from annotation.models import Annotation, Assignment, Document, Relation, SentimentChoice, Span


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "external_id", "project", "status", "is_gold_check", "created_at"]
    list_filter = ["status", "is_gold_check"]
    search_fields = ["external_id"]
    raw_id_fields = ["project"]
    readonly_fields = ["text", "content_hash"]
    show_full_result_count = False


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
