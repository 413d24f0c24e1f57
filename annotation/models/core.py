from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from projects.models import Label, Project


class DocumentStatus(models.TextChoices):
    NEW = "new", _("New")
    ANNOTATED = "annotated", _("Annotated")
    REVIEWED = "reviewed", _("Reviewed")


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    text = models.TextField(_("text"))
    meta = models.JSONField(_("meta"), default=dict, blank=True)
    content_hash = models.CharField(max_length=64, db_index=False)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.NEW)
    # PII found on import: {"EMAIL": [[start, end], ...]} under the "flag" policy.
    pii = models.JSONField(default=dict, blank=True)
    is_gold_check = models.BooleanField(default=False)
    # Where `next` hands the document out under an order other than sequential (lowest
    # first, then by id); written by services.ordering, NULL until then.
    rank = models.FloatField(null=True, blank=True, db_default=None)
    # How sure the active agents are of their suggestions for it, in [0, 1] (the least sure
    # suggestion's score); NULL until suggestions are computed. `uncertainty` order reads it.
    confidence = models.FloatField(null=True, blank=True, db_default=None)
    # The near-duplicate group found on import (the smallest document id in it); NULL when
    # the document is in none, or was imported with near_duplicates off.
    near_duplicate_group = models.BigIntegerField(null=True, blank=True, db_default=None)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["project", "status", "id"], name="document_project_status"),
            models.Index(fields=["project", "content_hash"], name="document_project_hash"),
            models.Index(fields=["project", "status", "rank", "id"], name="document_rank",
                         condition=Q(rank__isnull=False)),
            # the document manager's sortable columns and near-duplicate filter (keyset
            # pages over (column, id)); the text search's trigram index is in migration 0012
            models.Index(fields=["project", "external_id", "id"], name="document_by_external_id"),
            models.Index(fields=["project", "created_at", "id"], name="document_by_created"),
            models.Index(fields=["project", "near_duplicate_group", "id"],
                         name="document_near_duplicates",
                         condition=Q(near_duplicate_group__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "external_id"], condition=~Q(external_id=""),
                                    name="document_unique_external_id"),
            models.CheckConstraint(condition=Q(status__in=DocumentStatus.values),
                                   name="document_status_valid"),
        ]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"


class AnnotationKind(models.TextChoices):
    ANNOTATION = "annotation", _("Annotation")
    GOLD = "gold", _("Gold")
    PREDICTION = "prediction", _("Prediction")


class AnnotationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Annotation(models.Model):
    """One labelling of a document: an annotator's, the gold, or the pre-annotation."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="annotations")
    kind = models.CharField(max_length=10, choices=AnnotationKind.choices,
                            default=AnnotationKind.ANNOTATION)
    # The annotator; for gold, the reviewer who last saved it; empty for predictions.
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="annotations")
    status = models.CharField(max_length=10, choices=AnnotationStatus.choices,
                              default=AnnotationStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    seconds_spent = models.FloatField(default=0)
    sentiment = models.ManyToManyField(Label, through="SentimentChoice", related_name="+",
                                       blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "id"]
        indexes = [
            models.Index(fields=["project", "kind", "status", "document"],
                         name="annotation_project_bulk"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "annotator"],
                                    condition=Q(kind="annotation"),
                                    name="annotation_one_per_annotator"),
            models.UniqueConstraint(fields=["document", "kind"], condition=~Q(kind="annotation"),
                                    name="annotation_one_gold_one_prediction"),
            models.CheckConstraint(condition=Q(kind__in=AnnotationKind.values),
                                   name="annotation_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=AnnotationStatus.values),
                                   name="annotation_status_valid"),
            models.CheckConstraint(condition=~Q(kind="annotation") | Q(annotator__isnull=False),
                                   name="annotation_has_annotator"),
            models.CheckConstraint(condition=Q(seconds_spent__gte=0),
                                   name="annotation_seconds_gte_0"),
        ]

    def __str__(self) -> str:
        who = self.annotator_id or "-"
        return f"{self.kind} of {self.document_id} by {who} v{self.version}"


class Span(models.Model):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["annotation_id", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="span_start_lt_end"),
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_gte_0"),
        ]

    def __str__(self) -> str:
        return f"[{self.start}, {self.end}) {self.label_id}"


class Relation(models.Model):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE,
                                   related_name="relations")
    # A relation's spans are its annotation's own, written and deleted with it (the store
    # replaces an annotation's spans and relations together; cascade_delete removes both), so
    # no database constraint checks them: deleting a span would otherwise check each one
    # twice at commit, two thirds of the checks of a bulk delete (bench/README.md). The ORM
    # still cascades, and the indexes stay.
    head = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False)
    tail = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False)
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["annotation_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(head=F("tail")), name="relation_head_ne_tail"),
            models.UniqueConstraint(fields=["annotation", "head", "tail", "label"],
                                    name="relation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.head_id} -{self.label_id}-> {self.tail_id}"


class SentimentChoice(models.Model):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE)
    label = models.ForeignKey(Label, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotation", "label"], name="sentiment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.annotation_id}: {self.label_id}"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUBMITTED = "submitted", _("Submitted")
    SKIPPED = "skipped", _("Skipped")
    EXPIRED = "expired", _("Expired")
    # handed to the annotator by a manager: holds one of the k places until they open it
    # (their next `next` makes it active), with no lease running meanwhile
    ASSIGNED = "assigned", _("Assigned")


SKIP_REASON_MAX = 500  # characters of the reason an annotator may give for a skip


class Assignment(models.Model):
    """Who holds which document, and until when. One row per (document, annotator), ever."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="assignments")
    status = models.CharField(max_length=10, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why the annotator skipped the document (optional); cleared when it is requeued. The
    # database default serves the raw INSERTs of services/rows.py and the backfill.
    skip_reason = models.TextField(_("skip reason"), blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["project", "annotator", "status"], name="assignment_by_annotator"),
            models.Index(fields=["status", "expires_at"], name="assignment_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "annotator"], name="assignment_unique"),
            models.CheckConstraint(condition=Q(status__in=AssignmentStatus.values),
                                   name="assignment_status_valid"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("skip_reason"), SKIP_REASON_MAX),
                name="assignment_skip_reason_length"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} -> {self.annotator_id} ({self.status})"


class AgreementReport(models.Model):
    """One computed agreement report of a project; the newest is the current one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="agreement_reports")
    job = models.ForeignKey("projects.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    computed_at = models.DateTimeField()
    documents = models.PositiveIntegerField(default=0)
    report = models.JSONField()

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["project", "-computed_at"], name="agreement_latest")]

    def __str__(self) -> str:
        return f"agreement of {self.project_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class DocumentDisagreement(models.Model):
    """A document's disagreement score in one report, for review to sort by."""

    report = models.ForeignKey(AgreementReport, on_delete=models.CASCADE,
                               related_name="scores")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["report", "-score"], name="disagreement_by_score")]
        constraints = [
            models.UniqueConstraint(fields=["report", "document"], name="disagreement_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1),
                                   name="disagreement_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.score:.3f}"


class DatasetVersion(models.Model):
    """An immutable export: written once to storage, described by its counts, size, sha256
    and manifest, downloaded byte-for-byte the same every time."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=200)
    format = models.CharField(max_length=10)
    scope = models.CharField(max_length=10)
    pseudonymized = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("projects.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    file = models.CharField(max_length=300)  # a name in the default storage
    documents = models.PositiveIntegerField(default=0)
    annotations = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    manifest = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="version_unique_name"),
            models.CheckConstraint(condition=Q(scope__in=["gold", "all"]),
                                   name="version_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.format}, {self.scope})"


class GoldSource(models.TextChoices):
    REVIEW = "review", _("Review")
    AUTO = "auto", _("Auto-accepted")


class GoldRevision(models.Model):
    """One saved state of a document's gold: who saved it (nobody when auto-accepted), when,
    the version it became, and the content as saved, so every change can be read back."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE,
                                 related_name="gold_revisions")
    version = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=GoldSource.choices,
                              default=GoldSource.REVIEW)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    content = models.JSONField()  # the native {entities, relations, sentiment}

    class Meta:
        ordering = ["document_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="gold_revision_unique"),
            models.CheckConstraint(condition=Q(source__in=GoldSource.values),
                                   name="gold_revision_source_valid"),
        ]

    def __str__(self) -> str:
        return f"gold of {self.document_id} v{self.version} ({self.source})"


IMPORTED_NAME_MAX = 120  # characters of an imported annotator's name (docs/imports.md)


class ImportedIdentity(models.Model):
    """An annotator that an import named and who is no member of the project: the name from
    the file, and the account that holds the attribution of their annotations.

    The account is inactive, has no usable password and a reserved username
    (`<name>@import-p<project id>`), and is never a member: it cannot log in, and annotations
    are never attributed to an existing account through it. Each project has its own
    identities: two projects' "alice" are two identities."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="imported_identities")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="imported_identity")
    name = models.CharField(_("name"), max_length=IMPORTED_NAME_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"],
                                    name="imported_identity_unique_name"),
        ]
        verbose_name_plural = _("imported identities")

    def __str__(self) -> str:
        return f"{self.name} (imported, project {self.project_id})"
