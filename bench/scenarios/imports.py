"""`import`: import N native JSONL documents (~400 chars, EN/ZH) through the API and the
worker, against a baseline that only parses the same file and COPYs it into a bare table
with the same indexes (the limit on this machine).

Runs: cleaning + exact de-duplication (near-duplicates off, PII off), then near-duplicate
detection + PII masking on, each into a fresh project. Times are the job's own
started_at → finished_at (the worker's time), plus the upload.
"""

import hashlib
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.load import api_client, fetch_token
from bench.scenarios import Context, ScenarioResult, scenario
from bench.textgen import Corpus

RUNS = {
    "clean+exact": {"near_duplicates": "off", "pii": "off"},
    "near-dup+pii": {"near_duplicates": "flag", "pii": "mask"},
}


def write_corpus(path: Path, n: int) -> int:
    corpus = Corpus(seed=11)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            doc = corpus.document()
            out.write(json.dumps({"id": f"imp-{i:07d}", "text": f"{i} {doc.text}",
                                  "meta": {"lang": doc.lang}}, ensure_ascii=False))
            out.write("\n")
    return path.stat().st_size


def baseline(database_url: str, path: Path) -> float:
    """Parse every line and COPY it into a bare copy of the document table (its indexes, no
    foreign key), with the values the import stores in the indexed columns: the id, and the
    sha256 of the text (random keys spread over the whole (project, content_hash) index)."""
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_baseline")
        cur.execute("CREATE TABLE bench_baseline (LIKE annotation_document INCLUDING ALL)")
        started = time.perf_counter()
        now = datetime.now().astimezone()
        with path.open(encoding="utf-8") as lines, cur.copy(
                "COPY bench_baseline (project_id, external_id, text, meta, content_hash, "
                "status, pii, is_gold_check, created_at) FROM STDIN") as copy:
            for line in lines:
                rec = json.loads(line)
                digest = hashlib.sha256(rec["text"].encode()).hexdigest()
                copy.write_row((1, rec["id"], rec["text"], json.dumps(rec["meta"]), digest,
                                "new", "{}", False, now))
        conn.commit()
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE bench_baseline")
    return seconds


def _project(client: httpx.Client, name: str, pii: str) -> int:
    body = {"name": name, "tasks": ["ner", "sentiment"], "pii_policy": pii}
    response = client.post("/api/v1/projects/", json=body)
    response.raise_for_status()
    return int(response.json()["id"])


def run_import(client: httpx.Client, path: Path, name: str, options: dict[str, str]
               ) -> dict[str, Any]:
    project = _project(client, name, options["pii"])
    started = time.perf_counter()
    with path.open("rb") as f:
        response = client.post(f"/api/v1/projects/{project}/imports/", timeout=600,
                               files={"file": ("data.jsonl", f)},
                               data={"near_duplicates": options["near_duplicates"]})
    response.raise_for_status()
    uploaded = time.perf_counter() - started
    job_url = f"/api/v1/jobs/{response.json()['id']}/"
    while (job := client.get(job_url).json())["status"] in ("queued", "running"):
        time.sleep(0.5)
    worker = (datetime.fromisoformat(job["finished_at"])
              - datetime.fromisoformat(job["started_at"])).total_seconds()
    return {"status": job["status"], "message": job["message"], "upload_s": uploaded,
            "worker_s": worker, "total_s": time.perf_counter() - started,
            "result": job["result"]}


@scenario("import", "Import N native JSONL documents through the API and the worker: "
                    "cleaning + exact de-duplication, then near-duplicates + PII, against "
                    "a parse-and-COPY baseline.")
def run(ctx: Context) -> ScenarioResult:
    n = ctx.seed.n
    token = fetch_token(ctx.base_url, ctx.username, ctx.password)
    client = api_client(ctx.base_url, token)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "import.jsonl"
        size = write_corpus(path, n)
        timings = {"baseline parse+COPY": baseline(ctx.env.database_url, path)}
        extra: dict[str, object] = {"file_bytes": size, "documents": n}
        failures = []
        stamp = int(time.time())
        for label, options in RUNS.items():
            outcome = run_import(client, path, f"bench import {label} {stamp}", options)
            extra[label] = outcome
            timings[f"{label} (worker)"] = outcome["worker_s"]
            timings[f"{label} (upload)"] = outcome["upload_s"]
            if outcome["status"] != "succeeded" or outcome["result"]["imported"] != n:
                failures.append(f"{label}: {outcome['status']} {outcome['message']}")
    rates = {k: round(n / v) for k, v in timings.items() if "upload" not in k and v > 0}
    extra["docs_per_second"] = rates
    print("docs/s:", ", ".join(f"{k}: {v:,}" for k, v in rates.items()))
    return ScenarioResult(timings=timings, failures=failures, extra=extra)
