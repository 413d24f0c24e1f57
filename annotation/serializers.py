from rest_framework import serializers

from annotation.models import Document, DocumentStatus
from annotation.services.import_options import FORMATS, ImportOptions


class DocumentOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(DocumentStatus.choices)

    class Meta:
        model = Document
        fields = ["id", "external_id", "text", "meta", "content_hash", "status", "created_at"]


class DocumentFilter(serializers.Serializer):
    status = serializers.ChoiceField(DocumentStatus.choices, required=False)


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

    def options(self) -> ImportOptions:
        data = {k: v for k, v in self.validated_data.items() if k != "file"}
        data["id_column"] = data.get("id_column") or None
        return ImportOptions(**data)
