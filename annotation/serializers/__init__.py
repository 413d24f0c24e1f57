"""The API's serializers: the document list's in documents.py, the rest here (imports,
annotations, suggestions, gold)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation.models import AnnotationStatus
from annotation.readers.long_texts import LONG_TEXTS
from annotation.serializers.documents import (
    DocumentBulkInput,
    DocumentBulkOutput,
    DocumentFilter,
    DocumentListOutput,
    DocumentOutput,
    OwnDocumentListOutput,
    OwnDocumentOutput,
    SkipInput,
    SkipOutput,
    json_ready,
)
from annotation.services.imports.options import FORMATS, ImportOptions

__all__ = [
    "DocumentBulkInput",
    "DocumentBulkOutput",
    "DocumentFilter",
    "DocumentListOutput",
    "DocumentOutput",
    "OwnDocumentListOutput",
    "OwnDocumentOutput",
    "SkipInput",
    "SkipOutput",
    "json_ready",
]


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
