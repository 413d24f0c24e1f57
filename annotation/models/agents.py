"""Agents propose labels; their suggestions are kept apart from annotations (DESIGN.md,
"Agents and suggestions"). A suggestion counts nowhere until a person accepts it; then it is
that person's annotation, and the decision (accepted or rejected) is recorded here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from annotation.models.core import Document
from projects.models import Job, Label, Project


class AgentKind(models.TextChoices):
    DICTIONARY = "dictionary", _("Dictionary")
    CRF = "crf", _("Sequence model (CRF)")
    SENTIMENT = "sentiment", _("Sentiment model")
    RELATION = "relation", _("Relation model")
    LLM = "llm", _("LLM endpoint")
    IMPORTED = "imported", _("Imported predictions")


class Agent(models.Model):
    """One proposer of labels in one project. The built-in agents are named after their kind;
    imported predictions name theirs (or are `imported`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="agents")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=AgentKind.choices)
    active = models.BooleanField(_("active"), default=True)  # the manager's switch
    # The version whose suggestions are shown; a trained version below the threshold never
    # becomes it.
    version = models.ForeignKey("AgentVersion", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # Why the agent is off or failing (a missing artifact, a refused training run...).
    message = models.CharField(max_length=500, blank=True)
    # The LLM agent's endpoint: {"url", "model", "prompt"}; the secret is apart, write-only.
    config = models.JSONField(default=dict, blank=True)
    secret = models.CharField(max_length=500, blank=True)
    errors = models.PositiveIntegerField(default=0)  # failed calls or dropped answers
    dropped = models.PositiveIntegerField(default=0)  # LLM spans that did not match the text
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="agent_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=AgentKind.values),
                                   name="agent_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}) in {self.project_id}"


class AgentVersion(models.Model):
    """One training run's outcome: its metrics on gold, how long it took, what it was trained
    on, and the artifact the server wrote (never a user's upload)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    trained_on = models.PositiveIntegerField(default=0)  # gold documents
    training_seconds = models.FloatField(default=0)
    training_sha256 = models.CharField(max_length=64, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(default=False)  # its F1 reached the project's threshold
    reason = models.CharField(max_length=500, blank=True)  # why it was not activated
    artifact = models.CharField(max_length=300, blank=True)  # a name in the default storage
    artifact_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["agent", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "number"], name="agent_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} v{self.number}"


class SuggestionKind(models.TextChoices):
    ENTITY = "entity", _("Entity")
    RELATION = "relation", _("Relation")
    SENTIMENT = "sentiment", _("Sentiment")


class Suggestion(models.Model):
    """A label an agent proposes for a document. An entity has start and end; a relation has
    its head's (start, end) and its tail's (tail_start, tail_end); sentiment has neither."""

    # Suggestions are derived rows written by the million (about 50 a document), so they
    # carry only what reading them needs: project and document lead the two composite
    # indexes below (no index of their own), and only the document is checked by a
    # foreign-key constraint. Project, agent and label are checked by the writers (the
    # project's own, read in the same run); deleting one still cascades, through the ORM.
    # Per 500,000 rows on PostgreSQL 15 the other three constraints and two indexes cost
    # 8 s of the 13 s the server spent.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+",
                                db_index=False, db_constraint=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE,
                                 related_name="suggestions", db_index=False)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="suggestions",
                              db_index=False, db_constraint=False)
    model_version = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=SuggestionKind.choices)
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+",
                              db_index=False, db_constraint=False)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    tail_start = models.PositiveIntegerField(null=True, blank=True)
    tail_end = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(default=1.0)
    detail = models.JSONField(default=dict, blank=True)  # the LLM's model and prompt

    class Meta:
        ordering = ["document_id", "kind", "start", "end", "id"]
        indexes = [models.Index(fields=["document", "agent"], name="suggestion_by_document"),
                   models.Index(fields=["project", "agent"], name="suggestion_by_agent")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SuggestionKind.values),
                                   name="suggestion_kind_valid"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1),
                                   name="suggestion_score_range"),
            models.CheckConstraint(
                condition=Q(kind="sentiment") | Q(start__isnull=False, end__isnull=False),
                name="suggestion_has_span"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.label_id} by {self.agent_id} on {self.document_id}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class SuggestionDecision(models.Model):
    """A person accepted or rejected a suggestion. Accepted ones are kept as the origin of
    the annotation they became; per agent and label, the accept rate is the live precision."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="decisions")
    model_version = models.CharField(max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    kind = models.CharField(max_length=10, choices=SuggestionKind.choices)
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    tail_start = models.PositiveIntegerField(null=True, blank=True)
    tail_end = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "agent", "label", "decision"],
                                name="decision_rate")]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values),
                                   name="decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.kind} {self.label_id} of {self.agent_id} by {self.user_id}"
