"""`export`: the streamed download of the big project's gold, `GET /api/v1/projects/{id}/
export/?format=jsonl&scope=gold`, with every document reviewed and holding a gold (seeded
with `gold`): documents per second as the client reads the body to the end, and how much the
server's memory grows during it; the file is then checked line by line."""

import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from bench.load import fetch_token
from bench.procs import Peak
from bench.scenarios import Context, ScenarioResult, scenario
from bench.scenarios.workbench_load import with_database

TARGET_DOCS_PER_S = 20_000.0
TARGET_GROWTH_MB = 100.0  # the server tree's peak RSS during the download over its level before
READ_CHUNK = 1 << 16
LABELLING = ("entities", "relations", "sentiment")


def expected_gold(project_id: int) -> int:
    """Reviewed documents with a gold annotation: what scope=gold must export."""
    from annotation.models import Annotation, AnnotationKind, DocumentStatus

    return (Annotation.objects.filter(project_id=project_id, kind=AnnotationKind.GOLD,
                                      document__status=DocumentStatus.REVIEWED)
            .values("document_id").distinct().count())


def download(ctx: Context, token: str, path: Path) -> dict[str, Any]:
    """Stream the export into `path`, counting lines, with the server's memory watched."""
    monitor = ctx.monitor
    if monitor is None:
        raise RuntimeError("the export scenario needs the process monitor")
    url = f"{ctx.base_url}/api/v1/projects/{ctx.project_id}/export/"
    params = {"format": "jsonl", "scope": "gold"}
    headers = {"Authorization": f"Token {token}"}
    lines = size = 0
    first_byte = None
    cpu = with_database(ctx.cpu)
    before = monitor.current()["server"]
    load_before, cpu_before = os.getloadavg()[0], cpu()
    with (monitor.window() as peaks, path.open("wb") as out,
          httpx.Client(timeout=httpx.Timeout(60.0)) as client):
        started = time.perf_counter()
        status, kind, broken = 0, "", None
        try:
            with client.stream("GET", url, params=params, headers=headers) as response:
                status, kind = response.status_code, response.headers.get("content-type", "")
                for chunk in response.iter_bytes(READ_CHUNK):
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    lines += chunk.count(b"\n")
                    size += len(chunk)
                    out.write(chunk)
        except httpx.HTTPError as exc:  # e.g. the worker killed by gunicorn's timeout
            broken = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
    used = {k: v - cpu_before.get(k, 0.0) for k, v in cpu().items()}
    peak = peaks["server"]
    return {"status": status, "content_type": kind, "broken": broken, "lines": lines,
            "bytes": size,
            "seconds": seconds, "first_byte_s": first_byte or seconds,
            "docs_per_s": lines / seconds if seconds else 0.0,
            "server_before": asdict(before), "server_peak": asdict(peak),
            "growth_rss_mb": peak.rss_mb - before.rss_mb,
            "growth_pss_mb": peak.pss_mb - before.pss_mb, "cpu_seconds": used,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def check_file(path: Path, expected: int) -> tuple[dict[str, Any], list[str]]:
    """Every line one JSON record of DESIGN's shape with its gold; as many as expected."""
    problems: list[str] = []
    ids: set[str] = set()
    counts = {"records": 0, "entities": 0, "relations": 0, "with_sentiment": 0}

    def problem(n: int, message: str) -> None:
        if len(problems) < 10:
            problems.append(f"line {n}: {message}")

    with path.open("rb") as lines:
        for n, raw in enumerate(lines, start=1):
            try:
                record = json.loads(raw)
            except ValueError as exc:
                problem(n, f"not JSON ({exc})")
                continue
            counts["records"] += 1
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                problem(n, "not a record with a text")
                continue
            ids.add(str(record.get("id")))
            gold, text = record.get("gold"), record["text"]
            if "annotations" in record:
                problem(n, "scope gold wrote annotators' annotations")
            if not isinstance(gold, dict) or any(k not in gold for k in LABELLING):
                problem(n, f"gold is {gold!r:.80}")
                continue
            for entity in gold["entities"]:
                if entity.get("text") != text[entity["start"]:entity["end"]]:
                    problem(n, f"entity {entity.get('id')} text differs from its offsets")
            names = {e.get("id") for e in gold["entities"]}
            if any(r.get("head") not in names or r.get("tail") not in names
                   for r in gold["relations"]):
                problem(n, "a relation points outside the entities")
            counts["entities"] += len(gold["entities"])
            counts["relations"] += len(gold["relations"])
            counts["with_sentiment"] += gold["sentiment"] is not None
    if counts["records"] != expected:
        problems.append(f"{counts['records']} records, the project has {expected} reviewed "
                        f"documents with a gold")
    if len(ids) != counts["records"]:
        problems.append(f"{counts['records'] - len(ids)} repeated ids")
    return counts, problems


def summary(n: int, got: dict[str, Any], expected: int) -> tuple[list[str], dict]:
    rate, growth = got["docs_per_s"], got["growth_rss_mb"]
    targets = {"docs per s": {"value": round(rate), "target": TARGET_DOCS_PER_S,
                              "pass": rate >= TARGET_DOCS_PER_S},
               "server growth MB": {"value": round(growth, 1), "target": TARGET_GROWTH_MB,
                                    "pass": growth < TARGET_GROWTH_MB}}
    verdict = {k: "PASS" if t["pass"] else "FAIL" for k, t in targets.items()}
    before, peak = Peak(**got["server_before"]), Peak(**got["server_peak"])
    return ["targets:",
            f"  streamed gold JSONL      {rate:10,.0f} docs/s  >= 20,000   {verdict['docs per s']}"
            f"   ({got['lines']:,} of {expected:,} gold documents, N={n:,}, in "
            f"{got['seconds']:.2f} s; first byte {got['first_byte_s'] * 1000:.0f} ms; "
            f"{got['bytes'] / 2**20:,.1f} MB, {got['bytes'] / 2**20 / got['seconds']:.1f} MB/s)",
            f"  server memory growth     {growth:10.1f} MB      < 100 MB    "
            f"{verdict['server growth MB']}   (RSS {before.rss_mb:.1f} -> {peak.rss_mb:.1f} MB, "
            f"PSS {before.pss_mb:.1f} -> {peak.pss_mb:.1f} MB (+{got['growth_pss_mb']:.1f}), "
            f"{peak.processes} processes)",
            "CPU per document: " + ", ".join(f"{k} {v / max(got['lines'], 1) * 1e6:.1f} us"
                                            for k, v in got["cpu_seconds"].items())
            + "; cores busy: " + ", ".join(f"{k} {v / got['seconds']:.2f}"
                                            for k, v in got["cpu_seconds"].items())
            + f"; load average {got['load_average'][0]} -> {got['load_average'][1]} "
            "(2 cores, shared with the other processes on the machine)"], targets


@scenario("export", "Stream the big project's gold as JSONL (every document reviewed with a "
                    "gold): documents per second read by the client, the server's memory "
                    "growth during the download; every line checked after.", gold=True)
def run(ctx: Context) -> ScenarioResult:
    expected = expected_gold(ctx.project_id)
    token = fetch_token(ctx.base_url, ctx.username, ctx.password)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gold.jsonl"
        got = download(ctx, token, path)
        failures = []
        if got["broken"]:
            failures.append(f"export: the download broke off after {got['lines']:,} lines and "
                            f"{got['seconds']:.1f} s ({got['broken']}); see the server log")
        if got["status"] != 200:
            failures.append(f"export: HTTP {got['status']} {path.read_bytes()[:200]!r}")
            counts: dict[str, Any] = {}
        else:
            counts, problems = check_file(path, expected)
            failures += [f"export file: {p}" for p in problems]
    if not got["content_type"].startswith("application/jsonl"):
        failures.append(f"export content type {got['content_type']!r}")
    lines, targets = summary(ctx.seed.n, got, expected)
    if counts:
        lines.append(f"file: {counts['records']:,} records, {counts['entities']:,} entities, "
                     f"{counts['relations']:,} relations, {counts['with_sentiment']:,} with a "
                     f"sentiment; " + ("every line valid JSON, ids unique, entity texts match"
                                       if not failures else "NOT VALID, see FAILED below"))
    print("\n".join(lines), flush=True)
    return ScenarioResult(timings={"export download": got["seconds"],
                                   "export first byte": got["first_byte_s"]},
                          failures=failures,
                          extra={"targets": targets, "summary": lines, "download": got,
                                 "file": counts, "expected_gold": expected})
