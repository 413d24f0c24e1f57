"""Figures kept about a project's work: each annotator's score on each gold check, and
the progress dashboard's stored counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotation.models.core import AgreementReport, Document
from projects.models import Project


class GoldCheckScore(models.Model):
    """An annotator's submitted answer to a gold check, scored against the gold it had then.
    Managers read these per annotator; annotators never see them."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    gold_version = models.PositiveIntegerField(default=0)
    gold_entities = models.PositiveIntegerField(default=0)
    entities = models.PositiveIntegerField(default=0)
    matched_entities = models.PositiveIntegerField(default=0)
    entity_f1 = models.FloatField(null=True, blank=True)
    gold_relations = models.PositiveIntegerField(default=0)
    relations = models.PositiveIntegerField(default=0)
    matched_relations = models.PositiveIntegerField(default=0)
    relation_f1 = models.FloatField(null=True, blank=True)
    sentiment_correct = models.BooleanField(null=True, blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        db_table = "projects_goldcheckscore"  # made by the projects app, before it moved here
        ordering = ["-scored_at", "-id"]
        indexes = [models.Index(fields=["project", "annotator"], name="goldscore_by_annotator")]
        constraints = [
            models.UniqueConstraint(fields=["document", "annotator"], name="goldscore_unique"),
            models.CheckConstraint(condition=Q(entity_f1__gte=0) & Q(entity_f1__lte=1)
                                   | Q(entity_f1__isnull=True), name="goldscore_entity_f1"),
            models.CheckConstraint(condition=Q(relation_f1__gte=0) & Q(relation_f1__lte=1)
                                   | Q(relation_f1__isnull=True), name="goldscore_relation_f1"),
        ]

    def __str__(self) -> str:
        return f"check {self.document_id} by {self.annotator_id}"


class ProgressSnapshot(models.Model):
    """A project's progress figures, computed in the background (see docs/dashboards.md):
    documents by status, per-annotator counts and median time, submissions per day."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "projects_progresssnapshot"  # made by the projects app, before it moved here

    def __str__(self) -> str:
        return f"progress of {self.project_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class DocumentPosterior(models.Model):
    """A document's Dawid-Skene posterior over the sentiment labels in one agreement report
    (the quality API's documents)."""

    report = models.ForeignKey(AgreementReport, on_delete=models.CASCADE,
                               related_name="posteriors")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    posterior = models.JSONField()  # {label name: probability}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "document"],
                                               name="posterior_unique")]

    def __str__(self) -> str:
        return f"posterior of {self.document_id} in report {self.report_id}"
