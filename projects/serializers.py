from rest_framework import serializers

from projects.models import (
    Job,
    JobStatus,
    Label,
    LabelKind,
    Membership,
    Order,
    PiiPolicy,
    Project,
    Role,
    Segmentation,
    SentimentScale,
    Task,
)


class ProjectOutput(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "description", "guidelines", "tasks", "overlap",
                  "allow_overlapping_spans", "sentiment_multi_label", "sentiment_scale",
                  "segmentation", "pii_policy", "auto_accept_gold", "lease_minutes",
                  "gold_check_rate", "order", "order_field", "suggestion_min_score", "train_every",
                  "activation_f1", "relation_min_gold", "created_at", "updated_at", "role"]

    def get_role(self, obj: Project) -> str | None:
        return getattr(obj, "role", None) or self.context.get("role")


class ProjectInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    guidelines = serializers.CharField(required=False, allow_blank=True)
    tasks = serializers.ListField(child=serializers.ChoiceField(Task.choices), required=False,
                                  allow_empty=False)
    overlap = serializers.IntegerField(min_value=1, max_value=50, required=False)
    allow_overlapping_spans = serializers.BooleanField(required=False)
    sentiment_multi_label = serializers.BooleanField(required=False)
    sentiment_scale = serializers.ChoiceField(SentimentScale.choices, required=False)
    segmentation = serializers.ChoiceField(Segmentation.choices, required=False)
    pii_policy = serializers.ChoiceField(PiiPolicy.choices, required=False)
    auto_accept_gold = serializers.BooleanField(required=False)
    lease_minutes = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60, required=False)
    gold_check_rate = serializers.FloatField(min_value=0, max_value=1, required=False)
    order = serializers.ChoiceField(Order.choices, required=False)
    order_field = serializers.CharField(max_length=100, required=False, allow_blank=True)
    suggestion_min_score = serializers.FloatField(min_value=0, max_value=1, required=False)
    train_every = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    activation_f1 = serializers.FloatField(min_value=0, max_value=1, required=False)
    relation_min_gold = serializers.IntegerField(min_value=0, max_value=1_000_000,
                                                 required=False)


class LabelOutput(serializers.ModelSerializer):
    head_labels = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    tail_labels = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Label
        fields = ["id", "kind", "name", "color", "shortcut", "order", "value", "head_labels",
                  "tail_labels", "directed"]


class LabelInput(serializers.Serializer):
    kind = serializers.ChoiceField(LabelKind.choices)
    name = serializers.CharField(max_length=100)
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    shortcut = serializers.CharField(max_length=1, required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=0, required=False)
    value = serializers.FloatField(required=False, allow_null=True)
    directed = serializers.BooleanField(required=False)
    head_labels = serializers.ListField(child=serializers.CharField(), required=False)
    tail_labels = serializers.ListField(child=serializers.CharField(), required=False)


class MemberOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class MemberInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(Role.choices)


class MemberRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(Role.choices)


class JobErrorOutput(serializers.Serializer):
    line = serializers.IntegerField(required=False, allow_null=True)
    field = serializers.CharField(required=False, allow_blank=True)
    message = serializers.CharField()


class JobOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(JobStatus.choices)
    errors = JobErrorOutput(many=True)
    result = serializers.JSONField(allow_null=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "message", "result", "errors", "project",
                  "created_at", "started_at", "finished_at"]
