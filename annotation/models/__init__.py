"""The annotation app's models: labelling and its bookkeeping (core), the figures kept
about it (figures: gold-check scores, stored progress), and the agents that propose labels
(agents)."""

from annotation.models.agents import (
    Agent,
    AgentKind,
    AgentVersion,
    Decision,
    Suggestion,
    SuggestionDecision,
    SuggestionKind,
)
from annotation.models.core import (
    IMPORTED_NAME_MAX,
    SKIP_REASON_MAX,
    AgreementReport,
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    DatasetVersion,
    Document,
    DocumentDisagreement,
    DocumentStatus,
    GoldRevision,
    GoldSource,
    ImportedIdentity,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.models.figures import DocumentPosterior, GoldCheckScore, ProgressSnapshot

__all__ = [
    "IMPORTED_NAME_MAX", "SKIP_REASON_MAX", "Agent", "AgentKind", "AgentVersion",
    "AgreementReport", "Annotation", "AnnotationKind", "AnnotationStatus", "Assignment",
    "AssignmentStatus", "DatasetVersion", "Decision", "Document", "DocumentDisagreement",
    "DocumentPosterior",
    "DocumentStatus", "GoldCheckScore", "GoldRevision", "GoldSource", "ImportedIdentity",
    "ProgressSnapshot", "Relation", "SentimentChoice", "Span", "Suggestion",
    "SuggestionDecision", "SuggestionKind",
]
