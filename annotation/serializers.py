from rest_framework import serializers

from annotation.models import Document, DocumentStatus


class DocumentOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(DocumentStatus.choices)

    class Meta:
        model = Document
        fields = ["id", "external_id", "text", "meta", "content_hash", "status", "created_at"]


class DocumentFilter(serializers.Serializer):
    status = serializers.ChoiceField(DocumentStatus.choices, required=False)
