from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation.models import (
    SKIP_REASON_MAX,
    AnnotationStatus,
    AssignmentStatus,
    Document,
    DocumentStatus,
)
from annotation.readers.long_texts import LONG_TEXTS
from annotation.selectors.document_search import META_MAX, ORDERINGS, Q_MAX, DocumentQuery
from annotation.selectors.documents import LIST_TEXT_CHARS
from annotation.services.document_actions import ACTIONS, ANNOTATORS_MAX, Selection
from annotation.services.imports.options import FORMATS, ImportOptions


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


class ImportInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    format = serializers.ChoiceField(FORMATS, required=False)
    on_error = serializers.ChoiceField(["fail", "skip"], default="fail")
    duplicates = serializers.ChoiceField(["skip", "keep", "merge"], default="skip")
    near_duplicates = serializers.ChoiceField(["flag", "skip", "off"], default="flag")
    near_duplicate_threshold = serializers.FloatField(min_value=0.5, max_value=1.0,
                                                      default=0.85)
    create_labels = serializers.BooleanField(default=False)
    text_column = serializers.CharField(default="text", max_length=200)
    id_column = serializers.CharField(default="id", max_length=200, allow_blank=True)
    txt_mode = serializers.ChoiceField(["lines", "document"], default="lines")
    long_texts = serializers.ChoiceField(
        LONG_TEXTS, default="error",
        help_text="a text over CONCORD_MAX_DOCUMENT_CHARS code points: error (a problem) or "
                  "split (documents <id>#1, <id>#2... of at most that many)")

    def options(self) -> ImportOptions:
        data = {k: v for k, v in self.validated_data.items() if k != "file"}
        data["id_column"] = data.get("id_column") or None
        return ImportOptions(**data)


class EntityInput(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=64)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField(max_length=100)


class RelationInput(serializers.Serializer):
    head = serializers.CharField(max_length=64)
    tail = serializers.CharField(max_length=64)
    label = serializers.CharField(max_length=100)


CONTENT_ITEMS_MAX = 100_000  # entities or relations in one annotation


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                      "nullable": True})
class SentimentField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> Any:
        ok = data is None or isinstance(data, str) or (
            isinstance(data, list) and all(isinstance(x, str) for x in data))
        if not ok:
            raise serializers.ValidationError("Give a label name, a list of names, or null.")
        return data


@extend_schema_field(EntityInput(many=True))
class EntityList(serializers.JSONField):
    """A list of entities, checked item by item by the content validator
    (annotation.pure.content), which names each problem's place (entities[3].label): a
    nested serializer would cost more than the save itself for a thousand entities."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, list):
            raise serializers.ValidationError("Give a list.")
        if len(data) > CONTENT_ITEMS_MAX:
            raise serializers.ValidationError(f"At most {CONTENT_ITEMS_MAX} items.")
        return data


@extend_schema_field(RelationInput(many=True))
class RelationList(EntityList):
    """A list of relations, checked like EntityList."""


class AnnotationInput(serializers.Serializer):
    """The whole annotation, or `changes` to the stored one (of `version`):
    {entities: {add, remove}, relations: {add, remove}, sentiment}, entities named by
    {start, end, label} and relations by such head and tail (annotation.pure.changes)."""

    entities = EntityList(default=list)
    relations = RelationList(default=list)
    changes = serializers.JSONField(required=False, help_text=(
        "instead of entities, relations and sentiment: {entities: {add: [...], remove: "
        "[...]}, relations: {add, remove}, sentiment} (sentiment only when it changed)"))
    sentiment = SentimentField(default=None, allow_null=True)
    status = serializers.ChoiceField(AnnotationStatus.choices, default=AnnotationStatus.DRAFT)
    version = serializers.IntegerField(min_value=0)
    seconds_spent = serializers.FloatField(min_value=0, max_value=10_000_000, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = set(self.initial_data) if isinstance(self.initial_data, dict) else set()
        if "changes" in attrs and given & {"entities", "relations", "sentiment"}:
            raise serializers.ValidationError(
                {"changes": _("Send the whole annotation or its changes, not both.")})
        return attrs


class EntityOutput(EntityInput):
    text = serializers.CharField()


class ContentOutput(serializers.Serializer):
    entities = EntityOutput(many=True)
    relations = RelationInput(many=True)
    sentiment = SentimentField(allow_null=True)


class AnnotationOutput(ContentOutput):
    status = serializers.ChoiceField(AnnotationStatus.choices)
    version = serializers.IntegerField()
    seconds_spent = serializers.FloatField()


class SavedStateOutput(serializers.Serializer):
    """The answer to a save of changes only: the stored state, not the content."""

    brief = serializers.BooleanField(help_text="always true: this answer has no content")
    status = serializers.ChoiceField(AnnotationStatus.choices)
    version = serializers.IntegerField()
    seconds_spent = serializers.FloatField()


class AnnotationOfOutput(AnnotationOutput):
    annotator = serializers.CharField()
    updated_at = serializers.DateTimeField()


class SuggestedSpan(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class SuggestedEntity(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField()
    label = serializers.CharField()
    agent = serializers.CharField()
    model_version = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()


class SuggestedRelation(serializers.Serializer):
    head = SuggestedSpan()
    tail = SuggestedSpan()
    label = serializers.CharField()
    agent = serializers.CharField()
    model_version = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()


class SuggestedSentiment(serializers.Serializer):
    label = serializers.CharField()
    agent = serializers.CharField()
    model_version = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()


class SuggestionsOutput(serializers.Serializer):
    """A document's suggestions (annotation/selectors/agents.py: suggestions_for): those of
    switched-on agents scoring at least the project's minimum, each with its agent, model
    version and score. Relations name their ends by offsets."""

    entities = SuggestedEntity(many=True)
    relations = SuggestedRelation(many=True)
    sentiment = SuggestedSentiment(many=True)


class NextOutput(serializers.Serializer):
    document = DocumentOutput()
    expires_at = serializers.DateTimeField()
    annotation = AnnotationOutput()
    # The agents' suggestions (null when there are none); the name is kept from when only
    # imported predictions were shown.
    predictions = SuggestionsOutput(allow_null=True)


_DATETIME = serializers.DateTimeField()


def _content(content: dict[str, Any]) -> dict[str, Any]:
    return {"entities": [{"id": str(e["id"]), "start": int(e["start"]), "end": int(e["end"]),
                          "label": str(e["label"]), "text": str(e["text"])}
                         for e in content["entities"]],
            "relations": [{"head": str(r["head"]), "tail": str(r["tail"]),
                           "label": str(r["label"])} for r in content["relations"]],
            "sentiment": content["sentiment"]}


def _by(item: dict[str, Any]) -> dict[str, Any]:
    return {"label": str(item["label"]), "agent": str(item["agent"]),
            "model_version": str(item["model_version"]), "score": float(item["score"])}


def _span(span: dict[str, Any]) -> dict[str, int]:
    return {"start": int(span["start"]), "end": int(span["end"])}


def _suggestions(found: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"entities": [{**_span(e), "text": str(e["text"]), **_by(e)}
                         for e in found["entities"]],
            "relations": [{"head": _span(r["head"]), "tail": _span(r["tail"]), **_by(r)}
                          for r in found["relations"]],
            "sentiment": [_by(s) for s in found["sentiment"]]}


def next_data(answer: dict[str, Any]) -> dict[str, Any]:
    """`NextOutput(answer).data`, built directly: next is on the labeling hot path, and the
    nested serializers cost as much CPU as the rest of the answer (the tests check that
    both give the same data)."""
    document, own, predictions = answer["document"], answer["annotation"], answer["predictions"]
    return {
        "document": {"id": document.pk, "external_id": document.external_id,
                     "text": document.text, "meta": document.meta,
                     "content_hash": document.content_hash, "status": str(document.status),
                     "created_at": _DATETIME.to_representation(document.created_at)},
        "expires_at": _DATETIME.to_representation(answer["expires_at"]),
        "annotation": {**_content(own), "status": str(own["status"]),
                       "version": int(own["version"]),
                       "seconds_spent": float(own["seconds_spent"])},
        "predictions": None if predictions is None else _suggestions(predictions),
    }


class GoldInput(serializers.Serializer):
    entities = EntityInput(many=True, default=list)
    relations = RelationInput(many=True, default=list)
    sentiment = SentimentField(default=None, allow_null=True)
    version = serializers.IntegerField(min_value=0)


class GoldOutput(ContentOutput):
    version = serializers.IntegerField()
    updated_by = serializers.CharField(allow_null=True, help_text="null: auto-accepted")
    updated_at = serializers.DateTimeField(allow_null=True)
