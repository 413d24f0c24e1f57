"""docs/api.md's guide for ML engineers runs as written, against a live server.

Every ```python guide and ```sh guide block of the document runs, in order: the Python ones
with exec in one namespace (one script), the sh ones with bash, each starting from the
exported variables the previous one left (one terminal session). Only the placeholders
change: the server's address, the project's id, and a cap on `spacy train`'s steps. The
data: a project whose reviewed documents hold English, Chinese and Japanese with emoji,
made with the app's services, read by the consumer `ml-bot` named in the guide.
"""

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from annotation.services.store import annotation_save
from projects import services
from projects.models import Role
from tests.factories import DocumentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"^```(python|sh) guide\n(.*?)^```$", re.MULTILINE | re.DOTALL)
PLACEHOLDER_URL = "https://concord.example.org"
# Short enough for a test: two steps, each evaluated.
SPACY_TRAIN = "--paths.dev dev.spacy"
SPACY_STEPS = " --training.max_steps 2 --training.eval_frequency 1"
DOCUMENTS = [  # text, gold entities (surface, label), sentiment
    ("Alice joined 阿里巴巴 in 2019 🎉", [("Alice", "PER"), ("阿里巴巴", "ORG")], "positive"),
    ("東京で山田さんに会った😀", [("東京", "LOC"), ("山田", "PER")], "positive"),
    ("Bob 👩‍👩‍👧 quit ACME Corp.", [("Bob", "PER"), ("ACME Corp", "ORG")], "negative"),
]


def blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def substitute(code: str, url: str, project_id: int) -> str:
    return (code.replace(PLACEHOLDER_URL, url)
            .replace("PROJECT=7", f"PROJECT={project_id}")
            .replace("PROJECT = 7", f"PROJECT = {project_id}")
            .replace(SPACY_TRAIN, SPACY_TRAIN + SPACY_STEPS))


def test_every_python_and_sh_block_of_the_guide_is_run():
    text = GUIDE.read_text()
    guide = text[text.index("## Datasets for ML engineers"):text.index("## Labeling through")]
    fenced = re.findall(r"^```([^\n]*)\n.*?^```$", guide, re.MULTILINE | re.DOTALL)
    assert set(fenced) == {"python guide", "sh guide"}, fenced
    found = blocks(text)
    assert len(found) == len(fenced) >= 10
    assert {lang for lang, _ in found} == {"python", "sh"}
    for placeholder in (PLACEHOLDER_URL, "PROJECT=7", "PROJECT = 7", SPACY_TRAIN):
        assert any(placeholder in code for _, code in found), placeholder


@pytest.fixture
def gold_project(media):
    """Reviewed documents in three scripts with emoji, one new one, and the consumer."""
    manager = UserFactory(username="guide-manager")
    project = services.project_create(creator=manager, name="Newswire",
                                      tasks=["ner", "sentiment"], overlap=1)
    for name in ("PER", "ORG", "LOC"):
        services.label_create(project=project, kind="entity", name=name)
    for name in ("positive", "negative"):
        services.label_create(project=project, kind="sentiment", name=name)
    reviewer = UserFactory(username="guide-reviewer")
    services.member_add(project=project, username=reviewer.username, role=Role.REVIEWER)
    for i, (text, entities, sentiment) in enumerate(DOCUMENTS):
        document = DocumentFactory(project=project, text=text, external_id=f"doc-{i}")
        spans = [{"id": f"T{n}", "start": text.index(surface),
                  "end": text.index(surface) + len(surface), "label": label}
                 for n, (surface, label) in enumerate(entities, start=1)]
        annotation_save(document=document, annotator=reviewer, kind="gold", status="submitted",
                        version=0, content={"entities": spans, "relations": [],
                                            "sentiment": sentiment})
        document.refresh_from_db()
        assert document.status == "reviewed"
    DocumentFactory(project=project, text="Not reviewed yet.", external_id="doc-new")
    bot = UserFactory(username="ml-bot")
    bot.set_password("s3cret-password")
    bot.save()
    services.member_add(project=project, username="ml-bot", role=Role.CONSUMER)
    return project


def run_sh(code: str, cwd: Path, state: Path) -> None:
    """One block in bash, as typed into the terminal the previous blocks left behind."""
    script = (f"set -euo pipefail\n[ -f {shlex.quote(str(state))} ] && "
              f"source {shlex.quote(str(state))}\n{code}\nexport -p > {shlex.quote(str(state))}\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, f"{code}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_guide_runs_as_written(gold_project, live_server, tmp_path, monkeypatch):
    import datasets

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    cache = tmp_path / "hf-cache"  # load_dataset's cache, not the user's
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    namespace: dict = {"__name__": "guide"}
    state = tmp_path / "terminal.sh"
    for lang, code in blocks(GUIDE.read_text()):
        code = substitute(code, live_server.url, gold_project.pk)
        if lang == "python":
            exec(compile(code, f"docs/api.md ({code.splitlines()[0]})", "exec"), namespace)
        else:
            run_sh(code, work, state)

    # The terminal: a token, a version downloaded and checked, the same bytes streamed.
    exported = state.read_text()
    key = Token.objects.get(user__username="ml-bot").key
    assert f'TOKEN="{key}"' in exported
    assert f'PROJECT="{gold_project.pk}"' in exported
    version = json.loads((work / "version.json").read_text())
    downloaded = (work / "gold-v1.jsonl").read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == version["sha256"]
    assert (work / "gold.jsonl").read_bytes() == downloaded  # no new gold in between

    # The script: the reviewed documents only, with their CJK and emoji spans.
    texts = [text for text, _, _ in DOCUMENTS]
    assert [r["text"] for r in namespace["records"]] == texts
    assert [r["text"] for r in namespace["streamed"]] == texts
    assert sorted(namespace["versions"]) == ["gold-v1", "gold-v2"]  # at that point
    assert [[e["text"] for e in r["gold"]["entities"]] for r in namespace["records"]] == [
        [surface for surface, _ in entities] for _, entities, _ in DOCUMENTS]

    ds, ner = namespace["ds"], namespace["ner"]
    assert len(ds) == 3
    assert ds[1]["tokens"][:2] == ["東", "京"]
    assert ner.int2str(ds[1]["ner_tags"][:2]) == ["B-LOC", "I-LOC"]
    assert "👩‍👩‍👧" in ds[2]["tokens"]
    assert namespace["sentiment"].int2str(ds[2]["sentiment"]) == "negative"

    docs = namespace["docs"]
    assert [[(e.text, e.label_) for e in doc.ents] for doc in docs] == [
        entities for _, entities, _ in DOCUMENTS]
    assert [doc.text for doc in docs] == texts
    assert (work / "model" / "model-last").is_dir()

    tokens = [token for sentence in namespace["sentences"] for token, _ in sentence]
    assert {"阿", "里", "🎉", "😀", "👩‍👩‍👧"} <= set(tokens)
    assert namespace["f1_score"](namespace["y_true"], namespace["y_pred"]) == 1.0
    assert sum(tag.startswith("B-") for tags in namespace["y_true"] for tag in tags) == 6
