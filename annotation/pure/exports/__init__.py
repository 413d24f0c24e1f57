"""Export format writers, free of Django: native records in, a file's bytes out, streamed.

    export = Export("conll", ExportLabels(entities=("PER", "ORG")), scope="gold")
    for chunk in export.chunks(records):   # records: an iterable of native dicts
        out.write(chunk)
    export.warnings, export.documents, export.annotations

Formats: ``jsonl``, ``conll``, ``hf`` (zip), ``spacy`` (DocBin), ``brat`` (zip), ``csv``;
each module's docstring says what it writes. The same records give the same bytes.
"""

from annotation.pure.exports.export import FORMATS, Export, chunks
from annotation.pure.exports.labels import ExportLabels, RelationLabel

__all__ = ["FORMATS", "Export", "ExportLabels", "RelationLabel", "chunks"]
