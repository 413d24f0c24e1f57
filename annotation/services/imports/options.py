from dataclasses import asdict, dataclass, field
from typing import Any

FORMATS = ("jsonl", "json", "csv", "tsv", "txt", "conll", "label-studio", "doccano")


@dataclass(frozen=True)
class ImportOptions:
    format: str | None = None  # guessed from the name and content when None
    on_error: str = "fail"  # fail | skip
    duplicates: str = "skip"  # skip | keep | merge
    near_duplicates: str = "flag"  # flag | skip | off
    near_duplicate_threshold: float = 0.85
    create_labels: bool = False
    text_column: str = "text"  # csv/tsv
    id_column: str | None = "id"  # csv/tsv
    txt_mode: str = "lines"  # txt: lines | document
    long_texts: str = "error"  # over CONCORD_MAX_DOCUMENT_CHARS: error | split

    def reader_options(self, fmt: str) -> dict[str, Any]:
        if fmt in ("csv", "tsv"):
            return {"text_column": self.text_column, "id_column": self.id_column}
        if fmt == "txt":
            return {"txt_mode": self.txt_mode}
        return {}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The import report: the job's `result`, and what the import page shows."""

    format: str = ""
    read: int = 0
    imported: int = 0
    empty: int = 0
    duplicates: int = 0
    near_duplicates: int = 0  # documents in a near-duplicate group beyond its first
    near_duplicates_skipped: int = 0
    near_duplicate_groups: list[list[dict[str, Any]]] = field(default_factory=list)
    near_duplicate_group_count: int = 0
    pii: dict[str, int] = field(default_factory=dict)
    annotations: int = 0
    gold: int = 0
    predictions: int = 0
    merged: int = 0
    labels_created: list[str] = field(default_factory=list)
    unknown_labels: list[str] = field(default_factory=list)
    skipped: int = 0  # records dropped for problems under on_error=skip
    split: int = 0  # records over the length limit cut into parts (long_texts=split)
    errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
