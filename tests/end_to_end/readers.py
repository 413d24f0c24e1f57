"""Each export format read back by the client its users read it with, checked against the
text it came from. Each reader returns the records' ids (or stems) it found."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from datasets import Dataset, Features, load_dataset
from seqeval.metrics.sequence_labeling import get_entities
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab


def read_jsonl(data: bytes, texts: dict[str, str], **_: object) -> list[str]:
    ids = []
    for line in data.decode().splitlines():
        record = json.loads(line)
        ids.append(record["id"])
        assert record["text"] == texts[record["id"]]
        for labelling in [record.get("gold") or {}, *record.get("annotations", [])]:
            for e in labelling.get("entities", []):
                assert e["text"] == record["text"][e["start"]:e["end"]], e
    return ids


def read_conll(data: bytes, labels: set[str], **_: object) -> list[str]:
    """The CoNLL-2003 reading loop: -DOCSTART- opens a document, a blank line ends a
    sentence, the last field is the tag; seqeval takes the tags apart."""
    documents, tags = 0, []
    for line in data.decode().splitlines():
        if line.startswith("-DOCSTART-"):
            documents += 1
        elif line.strip() and not line.startswith("# "):
            token, tag = line.split(" ")
            assert token, line
            assert tag == "O" or tag[:2] in ("B-", "I-"), line
            tags.append(tag)
    assert {label for label, _s, _e in get_entities(tags)} <= labels
    return [str(n) for n in range(documents)]


def read_hf(data: bytes, tmp_path: Path, labels: set[str], **_: object) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extractall(tmp_path)
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    features = Features.from_dict(info["features"])
    names = features["ner_tags"].feature.names
    assert set(names) == {"O"} | {f"{p}-{n}" for n in labels for p in "BI"}
    if not (tmp_path / "data.jsonl").stat().st_size:  # the json builder finds no split
        ds = Dataset.from_dict({name: [] for name in features}, features=features)
    else:
        ds = load_dataset("json", data_files=str(tmp_path / "data.jsonl"), features=features,
                          split="train", cache_dir=str(tmp_path / "cache"))
    for row in ds:
        assert len(row["tokens"]) == len(row["ner_tags"])
    return [str(row["id"]) for row in ds]


def read_spacy(data: bytes, texts: dict[str, str], **_: object) -> list[str]:
    for name in ("relations", "doc_id", "annotator"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    docs = list(DocBin().from_bytes(data).get_docs(Vocab()))
    for doc in docs:
        assert doc.text == texts[doc._.doc_id]
    return [doc._.doc_id for doc in docs]


STANDOFF = re.compile(r"^(T\d+)\t(\S+) (\d+) (\d+)\t(.*)$|^(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)$")


def read_brat(data: bytes, labels: set[str], **_: object) -> list[str]:
    """brat standoff: T lines are entities (type, offsets, text), R lines relations."""
    stems = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {n: z.read(n).decode() for n in z.namelist()}
    for name, ann in files.items():
        if not name.endswith(".ann"):
            continue
        text = files[name[:-4] + ".txt"]
        stems.append(name[:-4])
        entities = set()
        for line in ann.splitlines():
            m = STANDOFF.match(line)
            assert m, f"{name}: not a T or R line: {line!r}"
            if m.group(1):
                assert m.group(2) in labels, line
                assert text[int(m.group(3)):int(m.group(4))] == m.group(5), line
                entities.add(m.group(1))
            else:
                assert {m.group(8), m.group(9)} <= entities, line
    return stems


def read_csv(data: bytes, texts: dict[str, str], **_: object) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        assert row["text"] == texts[row["id"]]
    return [row["id"] for row in rows]


READERS = {"jsonl": read_jsonl, "conll": read_conll, "hf": read_hf, "spacy": read_spacy,
           "brat": read_brat, "csv": read_csv}
