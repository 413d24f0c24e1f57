"""The export entry points: ``Export`` (which keeps warnings and counts; ``write`` takes
documents as stored, ``chunks`` native records) and ``chunks``."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from annotation.pure.exports import brat, conll, docbin, hf, jsonl, tabular
from annotation.pure.exports.common import Context, Record
from annotation.pure.exports.labels import ExportLabels
from annotation.pure.exports.stored import Stored, records


@dataclass(frozen=True)
class Format:
    write: Callable[[Context, Iterable[Record]], Iterator[bytes]]
    extension: str  # without the dot
    content_type: str


FORMATS: dict[str, Format] = {
    "jsonl": Format(jsonl.write, "jsonl", "application/jsonl; charset=utf-8"),
    "conll": Format(conll.write, "conll", "text/plain; charset=utf-8"),
    "hf": Format(hf.write, "zip", "application/zip"),
    "spacy": Format(docbin.write, "spacy", "application/octet-stream"),
    "brat": Format(brat.write, "zip", "application/zip"),
    "csv": Format(tabular.write, "csv", "text/csv; charset=utf-8"),
}


class Export(Context):
    """One export run. ``chunks(records)`` yields the file's bytes in pieces while reading
    ``records`` once; when it is exhausted, ``warnings`` (the first 1,000, each a dict with
    ``document``, usually ``annotator``, what it concerns and ``reason``), ``warning_count``,
    ``documents`` and ``annotations`` (labellings written: gold and annotators' work)
    describe what was written. Use a new Export for each file."""

    def __init__(self, fmt: str, labels: ExportLabels, scope: str = "gold") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; expected one of {list(FORMATS)}")
        super().__init__(labels, scope)
        self.fmt = fmt
        self._used = False

    @property
    def extension(self) -> str:
        return FORMATS[self.fmt].extension

    @property
    def content_type(self) -> str:
        return FORMATS[self.fmt].content_type

    def chunks(self, records: Iterable[Record]) -> Iterator[bytes]:
        if self._used:
            raise RuntimeError("an Export writes one file; make a new one")
        self._used = True
        for chunk in FORMATS[self.fmt].write(self, records):
            if chunk:
                yield chunk

    def write(self, documents: Iterable[Stored]) -> Iterator[bytes]:
        """The file's bytes from documents as the database holds them (what
        ``selectors.exports.export_documents`` gives, for every format and scope): ``jsonl``
        gold writes its lines from the tuples; every other export writes native records."""
        if self.fmt == "jsonl" and self.scope == "gold":
            return self.gold_chunks(documents)
        return self.chunks(records(documents, scope=self.scope,
                                   multi_label=self.labels.multi_label))

    def gold_chunks(self, documents: Iterable[Stored]) -> Iterator[bytes]:
        """``jsonl``, scope ``gold``, from documents as the database holds them: the bytes
        ``chunks`` gives for their records, without building the records."""
        if self.fmt != "jsonl" or self.scope != "gold":
            raise ValueError("gold_chunks writes jsonl, scope gold")
        if self._used:
            raise RuntimeError("an Export writes one file; make a new one")
        self._used = True
        yield from jsonl.write_gold(self, documents)

    def dataset_info(self) -> dict[str, Any]:
        """The ``hf`` export's ``dataset_info.json`` (also inside its zip)."""
        return hf.dataset_info(self)

    def extra_manifest(self) -> dict[str, Any]:
        """What a dataset version's manifest may add for this format: the ``hf`` features."""
        return {"dataset_info": self.dataset_info()} if self.fmt == "hf" else {}


def chunks(fmt: str, records: Iterable[Record], labels: ExportLabels, *,
           scope: str) -> Iterator[bytes]:
    """The export file's bytes in pieces (use ``Export`` to see warnings and counts)."""
    return Export(fmt, labels, scope).chunks(records)
