from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Task(models.TextChoices):
    NER = "ner", _("Named entities")
    RELATIONS = "relations", _("Relations")
    SENTIMENT = "sentiment", _("Sentiment")


class SentimentScale(models.TextChoices):
    NOMINAL = "nominal", _("Nominal")
    ORDINAL = "ordinal", _("Ordinal")


class Segmentation(models.TextChoices):
    """How Chinese is cut into tokens (annotation/pure/segment.py)."""

    CHARACTERS = "characters", _("Characters")
    JIEBA = "jieba", _("Words (jieba)")


class PiiPolicy(models.TextChoices):
    OFF = "off", _("Off")
    FLAG = "flag", _("Flag")
    MASK = "mask", _("Mask")


class Order(models.TextChoices):
    SEQUENTIAL = "sequential", _("Sequential")
    RANDOM = "random", _("Random")
    UNCERTAINTY = "uncertainty", _("Least confident first")
    STRATIFIED = "stratified", _("Stratified by a meta field")


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    guidelines = models.TextField(_("guidelines"), blank=True, help_text=_("Markdown."))
    tasks = models.JSONField(_("tasks"), default=list)
    overlap = models.PositiveSmallIntegerField(
        _("overlap"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many annotators label each document."),
    )
    allow_overlapping_spans = models.BooleanField(_("allow overlapping spans"), default=False)
    sentiment_multi_label = models.BooleanField(_("multi-label sentiment"), default=False)
    sentiment_scale = models.CharField(
        _("sentiment scale"), max_length=10, choices=SentimentScale.choices,
        default=SentimentScale.NOMINAL,
    )
    segmentation = models.CharField(
        _("Chinese segmentation"), max_length=12, choices=Segmentation.choices,
        default=Segmentation.CHARACTERS,
        help_text=_("The tokens that selections snap to, that token exports (CoNLL, HF, spaCy) "
                    "write and that token agreement counts: a Han character each, or "
                    "jieba's words."),
    )
    pii_policy = models.CharField(
        _("PII policy"), max_length=10, choices=PiiPolicy.choices, default=PiiPolicy.OFF
    )
    auto_accept_gold = models.BooleanField(
        _("auto-accept unanimous gold"), default=False,
        help_text=_("Accept a document's gold when all submissions agree exactly."),
    )
    lease_minutes = models.PositiveIntegerField(
        _("lease minutes"), default=30, validators=[MinValueValidator(1)],
        help_text=_("An assigned document returns to the pool after this long unused."),
    )
    gold_check_rate = models.FloatField(
        _("gold check rate"), default=0.0, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    order = models.CharField(
        _("order"), max_length=12, choices=Order.choices, default=Order.SEQUENTIAL,
        help_text=_("The order in which documents are handed out."),
    )
    order_field = models.CharField(
        _("order field"), max_length=100, blank=True,
        help_text=_("The meta key that stratified order balances."),
    )
    suggestion_min_score = models.FloatField(
        _("minimum suggestion score"), default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Suggestions scored below this are not shown."),
    )
    train_every = models.PositiveIntegerField(
        _("train every"), default=50, validators=[MinValueValidator(1)],
        help_text=_("Train the models again after this many new gold documents."),
    )
    activation_f1 = models.FloatField(
        _("activation F1"), default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A trained model is switched on only when its cross-validated F1 reaches "
                    "this."),
    )
    relation_min_gold = models.PositiveIntegerField(
        _("gold relations needed"), default=50,
        help_text=_("The relation model trains only with at least this many gold relations."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set while the project is being deleted in the background; hidden from everyone.
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="project_overlap_gte_1"),
            models.CheckConstraint(
                condition=Q(sentiment_scale__in=SentimentScale.values),
                name="project_sentiment_scale_valid",
            ),
            models.CheckConstraint(
                condition=Q(pii_policy__in=PiiPolicy.values), name="project_pii_policy_valid"
            ),
            models.CheckConstraint(
                condition=Q(gold_check_rate__gte=0) & Q(gold_check_rate__lte=1),
                name="project_gold_check_rate_range",
            ),
            models.CheckConstraint(condition=Q(order__in=Order.values), name="project_order_valid"),
            models.CheckConstraint(
                condition=Q(suggestion_min_score__gte=0) & Q(suggestion_min_score__lte=1),
                name="project_suggestion_min_score_range",
            ),
            models.CheckConstraint(
                condition=Q(activation_f1__gte=0) & Q(activation_f1__lte=1),
                name="project_activation_f1_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LabelKind(models.TextChoices):
    ENTITY = "entity", _("Entity")
    RELATION = "relation", _("Relation")
    SENTIMENT = "sentiment", _("Sentiment")


color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f77b4."))


class Label(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    kind = models.CharField(_("kind"), max_length=10, choices=LabelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    color = models.CharField(_("colour"), max_length=7, default="#4e79a7",
                             validators=[color_validator])
    shortcut = models.CharField(_("shortcut"), max_length=1, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    value = models.FloatField(_("numeric value"), null=True, blank=True)
    directed = models.BooleanField(_("directed"), default=True)
    head_labels = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("head labels")
    )
    tail_labels = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("tail labels")
    )

    class Meta:
        ordering = ["kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "name"],
                                    name="label_unique_name_per_kind"),
            models.UniqueConstraint(fields=["project", "shortcut"], condition=~Q(shortcut=""),
                                    name="label_unique_shortcut"),
            models.CheckConstraint(condition=Q(kind__in=LabelKind.values), name="label_kind_valid"),
            models.CheckConstraint(condition=Q(color__regex=r"^#[0-9a-fA-F]{6}$"),
                                   name="label_color_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager")
    REVIEWER = "reviewer", _("Reviewer")
    ANNOTATOR = "annotator", _("Annotator")
    CONSUMER = "consumer", _("Consumer")


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.project}"


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    AGREEMENT = "agreement", _("Agreement")
    PROJECT_DELETE = "project_delete", _("Project deletion")
    TRAIN = "train", _("Training")
    BULK = "bulk", _("Bulk action on documents")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed by a running task; a reaper fails jobs whose worker stopped beating.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=1),
                                   name="job_progress_range"),
            models.CheckConstraint(condition=Q(status__in=JobStatus.values),
                                   name="job_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="job_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job #{self.pk} ({self.status})"


class AuditAction(models.TextChoices):
    MEMBER_ADD = "member_add", _("Member added")
    MEMBER_REMOVE = "member_remove", _("Member removed")
    ROLE_CHANGE = "role_change", _("Role changed")
    GOLD_CHANGE = "gold_change", _("Gold changed")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    VERSION_DELETE = "version_delete", _("Dataset version deleted")
    TOKEN_CREATE = "token_create", _("API token created")
    TOKEN_REVOKE = "token_revoke", _("API token revoked")
    PROJECT_DELETE = "project_delete", _("Project deleted")
    REQUEUE = "requeue", _("Skipped documents returned to the queue")
    AGENT_CHANGE = "agent_change", _("Agent changed")
    TRAIN = "train", _("Training started")
    BULK = "bulk", _("Bulk action on documents")


class AuditEvent(models.Model):
    """Who did what, when. Written by services inside their transactions; never edited."""

    # Kept when the project is purged (the project_delete event says which it was).
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    target = models.CharField(_("target"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"]),
                   models.Index(fields=["actor", "-created_at"])]
        constraints = [models.CheckConstraint(condition=Q(action__in=AuditAction.values),
                                              name="audit_action_valid")]

    def __str__(self) -> str:
        return f"{self.action} {self.target} by {self.actor_id} at {self.created_at}"


class Preference(models.Model):
    """A user's own settings: the interface language they chose (empty: none chosen, so
    the browser's Accept-Language decides)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="preference")
    language = models.CharField(_("language"), max_length=15, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}"
