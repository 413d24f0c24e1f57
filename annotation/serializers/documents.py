"""The document list's rows, filters and bulk actions, as the API reads and answers them."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from annotation.models import (
    SKIP_REASON_MAX,
    AssignmentStatus,
    Document,
    DocumentStatus,
)
from annotation.selectors.document_search import META_MAX, ORDERINGS, Q_MAX, DocumentQuery
from annotation.selectors.documents import LIST_TEXT_CHARS
from annotation.services.document_actions import ACTIONS, ANNOTATORS_MAX, Selection


class SkipOutput(serializers.Serializer):
    annotator = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    skipped_at = serializers.DateTimeField(allow_null=True)


class DocumentOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(DocumentStatus.choices)
    # Who skipped the document and why: only for readers with see_others (managers and
    # reviewers), and only where the view attached them; absent otherwise.
    skips = SkipOutput(many=True, required=False)

    class Meta:
        model = Document
        fields = ["id", "external_id", "text", "meta", "content_hash", "status", "created_at",
                  "skips"]


class DocumentListOutput(DocumentOutput):
    """A row of the document list: the text's beginning, never a whole long text."""

    text = serializers.CharField(
        source="text_preview",
        help_text=f"the first {LIST_TEXT_CHARS} code points of the text (all of it when "
                  f"text_truncated is false); the whole text is at .../documents/{{id}}/")
    text_truncated = serializers.BooleanField(
        help_text=f"true: the text is longer than its first {LIST_TEXT_CHARS} code points "
                  f"given in `text`")

    class Meta(DocumentOutput.Meta):
        fields = ["id", "external_id", "text", "text_truncated", "meta", "content_hash",
                  "status", "created_at", "skips"]


class OwnDocumentOutput(serializers.ModelSerializer):
    """A document as an annotator sees it in their own list: nothing of others' work (not
    the document's status, which gold changes), and where they are with it."""

    my_status = serializers.ChoiceField(AssignmentStatus.choices,
                                        help_text="your assignment's: assigned, active, "
                                                  "submitted, skipped or expired")

    class Meta:
        model = Document
        fields = ["id", "external_id", "text", "meta", "created_at", "my_status"]


class OwnDocumentListOutput(OwnDocumentOutput):
    text = DocumentListOutput._declared_fields["text"]
    text_truncated = DocumentListOutput._declared_fields["text_truncated"]

    class Meta(OwnDocumentOutput.Meta):
        fields = ["id", "external_id", "text", "text_truncated", "meta", "created_at",
                  "my_status"]


class DocumentFilter(serializers.Serializer):
    """The document list's filters (DESIGN.md, "Documents"); they combine. Besides these
    fields, `meta.<key>=<value>` (up to 5) keeps documents whose meta[key], as text, equals
    value."""

    status = serializers.ChoiceField(DocumentStatus.choices, required=False)
    skipped = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="true: documents someone skipped (and "
                                                 "nobody requeued since); false: the others")
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=Q_MAX,
                              help_text="a substring of the text, any case (CJK included)")
    label = serializers.CharField(required=False, max_length=100,
                                  help_text="a label (by name) in an annotation or the gold")
    annotator = serializers.CharField(required=False, max_length=150,
                                      help_text="annotated by this username")
    agreement_lt = serializers.FloatField(
        required=False, min_value=0, max_value=1,
        help_text="the document's agreement in the latest report is below this")
    pii = serializers.BooleanField(required=False, allow_null=True, default=None,
                                   help_text="PII was found on import")
    near_duplicate = serializers.RegexField(
        r"^(true|false|[1-9][0-9]{0,17})$", required=False,
        help_text="true: in a near-duplicate group; false: in none; an id: that group")
    gold_check = serializers.BooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(ORDERINGS, required=False, default="id")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        meta = [(key[len("meta."):], value) for key, value in data.items()
                if isinstance(key, str) and key.startswith("meta.")]
        errors = _meta_errors(meta)
        if errors:
            raise serializers.ValidationError(errors)
        values["meta"] = tuple((key, str(value)) for key, value in meta)
        return values

    def query(self) -> DocumentQuery:
        return DocumentQuery.of(self.validated_data)


def _meta_errors(meta: list[tuple[str, Any]]) -> dict[str, str]:
    if len(meta) > META_MAX:
        return {"meta": _("At most %(n)d meta filters.") % {"n": META_MAX}}
    for key, value in meta:
        if not key or len(key) > 100:
            return {f"meta.{key}": _("A meta key has 1 to 100 characters.")}
        if not isinstance(value, str | int | float | bool) or len(str(value)) > Q_MAX:
            return {f"meta.{key}": _("A meta value is a string of at most %(n)d characters.")
                    % {"n": Q_MAX}}
    return {}


class SkipInput(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True,
                                   max_length=SKIP_REASON_MAX, trim_whitespace=True)


class DocumentBulkInput(serializers.Serializer):
    """DESIGN.md's bulk body: an action on chosen `ids` or on every match of `filter`."""

    action = serializers.ChoiceField(ACTIONS)
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                required=False, allow_empty=False, max_length=10_000)
    filter = DocumentFilter(required=False)
    annotators = serializers.ListField(child=serializers.CharField(max_length=150),
                                       required=False, default=list, max_length=ANNOTATORS_MAX,
                                       help_text="usernames, for `assign`")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ids" in attrs) == ("filter" in attrs):
            raise serializers.ValidationError(_("Give either ids or filter."))
        return attrs

    def selection(self) -> Selection:
        data = self.validated_data
        if "ids" in data:
            return Selection(ids=list(dict.fromkeys(data["ids"])))
        return Selection(filter=json_ready(data["filter"]))


def json_ready(data: dict[str, Any]) -> dict[str, Any]:
    """A validated filter as a job and the audit log keep it: what was asked for (no field
    left at its default), meta pairs as lists."""
    kept = {name: value for name, value in data.items()
            if value not in (None, "", (), []) and (name, value) != ("ordering", "id")}
    if "meta" in kept:
        kept["meta"] = [list(pair) for pair in kept["meta"]]
    return kept


class DocumentBulkOutput(serializers.Serializer):
    action = serializers.CharField()
    documents = serializers.IntegerField(help_text="documents of the selection acted on "
                                                   "(requeue: those that had a skip)")
    skips = serializers.IntegerField(required=False, help_text="requeue: skips undone")
    assigned = serializers.IntegerField(required=False, help_text="assign: places handed")
    already = serializers.IntegerField(required=False,
                                       help_text="assign: the annotator had it already")
    full = serializers.IntegerField(required=False,
                                    help_text="assign: no room left among the k places")
    gold_checks = serializers.IntegerField(required=False,
                                           help_text="assign: gold checks, left out")
    changed = serializers.IntegerField(required=False,
                                       help_text="gold_check, ungold_check: documents changed")
    without_gold = serializers.IntegerField(required=False,
                                            help_text="gold_check: left out, no gold")
    deleted = serializers.IntegerField(required=False, help_text="delete: documents deleted")
