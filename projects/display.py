"""Stored codes shown to people: their names in the interface's language. The codes stay
in data attributes, URLs and the API."""

from django.utils.translation import gettext_lazy as _

from projects.models import JobStatus, LabelKind, Task

TASK_NAMES = dict(Task.choices)
KIND_NAMES = dict(LabelKind.choices)
STATUS_NAMES = {**dict(JobStatus.choices),
    "new": _("New"), "annotated": _("Annotated"), "reviewed": _("Reviewed"),
    "draft": _("Draft"), "submitted": _("Submitted"), "active": _("Active"),
    "skipped": _("Skipped"), "expired": _("Expired"), "assigned": _("Assigned")}
FORMAT_NAMES = {
    "jsonl": "JSONL", "json": "JSON", "csv": "CSV", "tsv": "TSV", "conll": "CoNLL",
    "hf": "Hugging Face datasets", "spacy": "spaCy DocBin", "brat": "brat",
    "label-studio": "Label Studio", "doccano": "doccano", "txt": _("Plain text"),
}
SCOPE_NAMES = {"gold": _("Gold only"), "all": _("Gold and every annotator")}
