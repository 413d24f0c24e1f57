"""`documents`: the document manager's search and filter pages (API and HTML) under load, then
its bulk actions over 100,000 documents (issue targets: server p99 < 200 ms on the 1M
database; a bulk action over 100,000 documents < 30 s).

Setup, before any clock: every tenth seeded document (id % 10 = 3) gets `meta`
{"slice": "3"} (an UPDATE; the seed's meta is {}), then VACUUM (ANALYZE). The deep cursor
of `ordering=status` is taken from the `next` link of the first page of
`?ordering=status&status=new`: in the unfiltered status order it sits after every
`annotated` document (about 60% of N), where the list would be after paging that far.

Load (part `load`): the manager's clients (token and browser session) cycle through QUERIES,
each as `GET /api/v1/projects/{id}/documents/?…` and as `GET /projects/{id}/documents/?…`;
BENCH_DOCUMENTS_SKIP=a,b leaves out of this mix the endpoints whose name contains a or b.
Alone (part `alone`): then each endpoint, and PROBES (searches that must scan), by itself from
one client, one request after the other (ALONE_REQUESTS, or as many as ALONE_SECONDS allow,
at least one): its own latency, without the queue the others make.

Bulk: BULK documents are copied (in SQL, untimed) from the seeded ones with id % 10 = 7,
with their annotations, spans, relations, sentiments and assignments, and a gold (a copy of
their first annotation, by bench-owner, status `reviewed`) for those that were `annotated`;
the copies carry meta {"bench_bulk": "1"}. Each action then runs through
`POST /api/v1/projects/{id}/documents/bulk/` with `filter: {"meta.bench_bulk": "1"}` and its
job is polled every 0.5 s to the end: assign (to bench-ann1), gold_check, ungold_check and
last delete, which removes the copies with everything of theirs. The seeded documents are
never changed but their slice meta, which goes back to {} at the end (and at the start, with
any copies, for a run that died), so a kept database stays as the seed made it (the audit
events and jobs of the bulk actions stay: they are history).

BENCH_DOCUMENTS_PARTS=load,alone,bulk (the default: all three) picks parts;
BENCH_DOCUMENTS_BULK sets the number of copies (default min(100,000, N/10)).
"""

import os
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from bench.load import (
    Endpoint,
    Kind,
    LoadClient,
    LoadResult,
    Sample,
    Stats,
    api_client,
    fetch_token,
    run_load,
    summarize,
    web_client,
)
from bench.scenarios import Context, ScenarioResult, scenario
from bench.scenarios.documents_data import SLICE, copies_drop, copies_make, slice_meta, vacuum

TARGET_MS = 200.0  # server p99 of each search page
BULK_TARGET_S = 30.0  # a bulk action over 100,000 documents
BULK = 100_000
POLL = 0.5
ASSIGNEE = "bench-ann1"
ACTIONS = ("assign", "gold_check", "ungold_check", "delete")

# name, query string (the HTML page's own form sends meta as meta_key/meta_value)
QUERIES: list[tuple[str, dict[str, str], dict[str, str] | None]] = [
    ("q en common (London)", {"q": "London"}, None),
    ("q en rare (Globex in Lyon)", {"q": "Globex in Lyon"}, None),
    ("q en absent (zeppelin)", {"q": "zeppelin"}, None),
    ("q zh 2 chars (北京)", {"q": "北京"}, None),
    ("q zh 4 chars (合并谈判)", {"q": "合并谈判"}, None),
    ("label PER", {"label": "PER"}, None),
    ("annotator bench-ann2", {"annotator": "bench-ann2"}, None),
    ("annotated by -created_at", {"status": "annotated", "ordering": "-created_at"}, None),
    ("ordering status, deep cursor", {"ordering": "status", "after": "{deep}"}, None),
    ("meta slice=3", {"meta.slice": str(SLICE)},
     {"meta_key": "slice", "meta_value": str(SLICE)}),
    ("q+status+label", {"q": "London", "status": "annotated", "label": "PER"}, None),
]
# Searches that scan the whole project (no trigram for < 3 characters, nothing matches):
# measured alone, not in the mix, so their seconds do not queue the others.
PROBES: list[tuple[str, dict[str, str]]] = [
    ("q zh 2 chars absent (熊猫)", {"q": "熊猫"}),
]
ALONE_REQUESTS, ALONE_SECONDS = 20, 15.0


def skipped() -> list[str]:
    return [p.strip() for p in os.environ.get("BENCH_DOCUMENTS_SKIP", "").split(",")
            if p.strip()]


def parts() -> set[str]:
    return {p.strip() for p in os.environ.get("BENCH_DOCUMENTS_PARTS", "load,alone,bulk").split(",")
            if p.strip()}


def deep_cursor(client: httpx.Client, project_id: int) -> str:
    """The `after` of the `next` link of ?ordering=status&status=new: in the whole list by
    status it follows every annotated document."""
    answer = client.get(f"/api/v1/projects/{project_id}/documents/",
                        params={"ordering": "status", "status": "new"})
    answer.raise_for_status()
    link = answer.json()["next"]
    return parse_qs(urlsplit(link).query)["after"][0]


def endpoints(project_id: int, deep: str) -> list[Endpoint]:
    api = f"/api/v1/projects/{project_id}/documents/"
    page = f"/projects/{project_id}/documents/"
    found = []
    for kind, base in (("api", api), ("html", page)):
        for name, params, form in QUERIES:
            chosen = form if kind == "html" and form else params
            query = urlencode({k: v.replace("{deep}", deep) for k, v in chosen.items()})
            found.append(Endpoint(f"{kind} {name}", f"{base}?{query}",
                                  client="api" if kind == "api" else "web"))
    return found


def check_answers(client: httpx.Client, web: httpx.Client, targets: list[Endpoint]
                  ) -> tuple[dict[str, int], list[str]]:
    """Each endpoint once before the clock: its status, and the rows of the API's first page
    (so the table says which searches find something)."""
    rows, failures = {}, []
    for endpoint in targets:
        answer = (client if endpoint.client == "api" else web).get(endpoint.path)
        if answer.status_code != 200:
            failures.append(f"{endpoint.name}: HTTP {answer.status_code}")
        elif endpoint.client == "api":
            rows[endpoint.name] = len(answer.json()["results"])
    return rows, failures


def alone(ctx: Context, token: str, targets: list[Endpoint]) -> list[dict[str, Any]]:
    """Each endpoint by itself, one request after the other from one client."""
    api = f"/api/v1/projects/{ctx.project_id}/documents/"
    targets = targets + [Endpoint(f"api {name}", f"{api}?{urlencode(params)}")
                         for name, params in PROBES]
    clients: dict[Kind, httpx.Client] = {
        "api": api_client(ctx.base_url, token),
        "web": web_client(ctx.base_url, ctx.username, ctx.password)}
    rows = []
    try:
        for endpoint in targets:
            user = LoadClient(clients, [endpoint], 0)
            user.request()  # unmeasured: the plan and the pages it reads, once
            started = time.monotonic()
            samples: list[Sample] = []
            while len(samples) < ALONE_REQUESTS and (
                    not samples or time.monotonic() - started < ALONE_SECONDS):
                samples.append(user.request())
            rows.append(stat_row(summarize(endpoint.name, samples,
                                           time.monotonic() - started)))
    finally:
        for client in clients.values():
            client.close()
    return rows


def stat_row(s: Stats) -> dict[str, Any]:
    return {"endpoint": s.name, "requests": s.requests, "errors": s.errors,
            "p50_ms": s.p50_ms, "p95_ms": s.p95_ms, "p99_ms": s.p99_ms,
            "server_p50_ms": s.server_p50_ms, "server_p99_ms": s.server_p99_ms,
            "server_cpu_p50_ms": s.server_cpu_p50_ms, "server_db_p50_ms": s.server_db_p50_ms,
            "queries_p50": s.queries_p50,
            "pass": s.server_p99_ms is not None and s.server_p99_ms < TARGET_MS}


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def print_table(title: str, rows: list[dict[str, Any]], found: dict[str, int]) -> None:
    print(title, flush=True)
    print("| endpoint | reqs | p50 ms | p95 ms | p99 ms | srv p50 | srv p99 | cpu p50 | db p50 "
          "| rows | target |", flush=True)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
          flush=True)
    for row in rows:
        print(f"| {row['endpoint']} | {row['requests']} | {_cell(row['p50_ms'])} "
              f"| {_cell(row['p95_ms'])} | {_cell(row['p99_ms'])} "
              f"| {_cell(row['server_p50_ms'])} | {_cell(row['server_p99_ms'])} "
              f"| {_cell(row['server_cpu_p50_ms'])} | {_cell(row['server_db_p50_ms'])} "
              f"| {found.get(row['endpoint'], '')} | {'PASS' if row['pass'] else 'FAIL'} |",
              flush=True)


def run_search(ctx: Context, token: str, chosen: set[str]
               ) -> tuple[LoadResult | None, dict[str, Any], list[str]]:
    client = api_client(ctx.base_url, token)
    web = web_client(ctx.base_url, ctx.username, ctx.password)
    try:
        deep = deep_cursor(client, ctx.project_id)
        targets = endpoints(ctx.project_id, deep)
        found, failures = check_answers(client, web, targets)
    finally:
        client.close()
        web.close()
    extra: dict[str, Any] = {"paths": {e.name: e.path for e in targets}, "deep_cursor": deep,
                             "first_page_rows": found}
    load = None
    if "load" in chosen:
        left_out = skipped()
        mix = [e for e in targets if not any(word in e.name for word in left_out)]

        def make_clients(_: int) -> dict[Kind, httpx.Client]:
            return {"api": api_client(ctx.base_url, token),
                    "web": web_client(ctx.base_url, ctx.username, ctx.password)}

        before = os.getloadavg()[0]
        load = run_load(make_clients, mix, ctx.concurrency, ctx.warmup, ctx.duration,
                        ctx.requests, ctx.cpu)
        after = os.getloadavg()[0]
        rows = [stat_row(s) for s in load.endpoints]
        print_table(f"target: each search page's server p99 < {TARGET_MS:.0f} ms "
                    f"({ctx.concurrency} clients; rows: the API's first page"
                    f"{'; left out: ' + ', '.join(left_out) if left_out else ''})", rows, found)
        failed = [r["endpoint"] for r in rows if not r["pass"]]
        print(f"documents search: {'FAIL ' + ', '.join(failed) if failed else 'PASS'}",
              flush=True)
        print(f"load average (1 min) before the load {before:.2f}, after {after:.2f}",
              flush=True)
        extra.update({"targets": rows, "skipped": left_out, "loadavg_before": before,
                      "loadavg_after": after})
    if "alone" in chosen:
        before = os.getloadavg()[0]
        rows = alone(ctx, token, targets)
        after = os.getloadavg()[0]
        print_table(f"alone: each endpoint by itself, one client, up to {ALONE_REQUESTS} "
                    f"requests or {ALONE_SECONDS:.0f} s (load average {before:.2f} before, "
                    f"{after:.2f} after)", rows, found)
        extra.update({"alone": rows, "alone_loadavg": [before, after]})
    return load, extra, failures


# ------------------------------------------------------------------------ bulk


def bulk_action(client: httpx.Client, project_id: int, action: str) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action, "filter": {"meta.bench_bulk": "1"}}
    if action == "assign":
        body["annotators"] = [ASSIGNEE]
    started = time.perf_counter()
    answer = client.post(f"/api/v1/projects/{project_id}/documents/bulk/", json=body)
    if answer.status_code != 202:
        return {"action": action, "status": f"HTTP {answer.status_code}",
                "message": answer.text[:300], "wall_s": time.perf_counter() - started}
    job = answer.json()
    while job["status"] in ("queued", "running"):
        time.sleep(POLL)
        job = client.get(f"/api/v1/jobs/{job['id']}/").raise_for_status().json()
    wall = time.perf_counter() - started
    own = None
    if job.get("started_at") and job.get("finished_at"):
        own = (datetime.fromisoformat(job["finished_at"])
               - datetime.fromisoformat(job["started_at"])).total_seconds()
    result = job.get("result") or {}
    documents = int(result.get("documents", 0))
    return {"action": action, "job": job["id"], "status": job["status"],
            "message": job.get("message"), "result": result, "documents": documents,
            "wall_s": wall, "job_s": own, "docs_per_s": documents / wall if wall else None,
            "pass": job["status"] == "succeeded" and wall < BULK_TARGET_S}


def run_bulk(ctx: Context, token: str) -> tuple[dict[str, float], dict[str, Any], list[str]]:
    count = int(os.environ.get("BENCH_DOCUMENTS_BULK", min(BULK, ctx.seed.n // 10)))
    started = time.perf_counter()
    made = copies_make(ctx.project_id, ctx.seed.fixture.reviewer_id, count)
    made_s = time.perf_counter() - started
    vacuum("annotation_document", "annotation_annotation", "annotation_assignment",
           "annotation_span")
    print(f"bulk setup: copies {made} in {made_s:.1f} s (+ vacuum "
          f"{time.perf_counter() - started - made_s:.1f} s)", flush=True)
    runs: list[dict[str, Any]] = []
    failures: list[str] = []
    timings: dict[str, float] = {}
    with api_client(ctx.base_url, token) as client:
        client.timeout = httpx.Timeout(120.0)
        for action in ACTIONS:
            load1 = os.getloadavg()[0]
            done = bulk_action(client, ctx.project_id, action)
            done["loadavg_before"] = load1
            runs.append(done)
            print(f"bulk {action}: {done['status']} in {done['wall_s']:.1f} s wall (POST to "
                  f"succeeded), job {done.get('job_s')} s, {done.get('documents')} documents, "
                  f"{(done.get('docs_per_s') or 0):.0f} documents/s; result "
                  f"{done.get('result')} {done.get('message') or ''} (load average {load1:.2f})",
                  flush=True)
            timings[f"bulk {action} ({done.get('documents')} docs)"] = done["wall_s"]
            if done["status"] != "succeeded":
                failures.append(f"bulk {action}: {done['status']} {done.get('message')}")
            elif done["documents"] != made["documents"]:
                failures.append(f"bulk {action}: {done['documents']} documents, "
                                f"expected {made['documents']}")
    target = [r["action"] for r in runs if not r.get("pass")]
    print(f"bulk target (< {BULK_TARGET_S:.0f} s for {made['documents']} documents): "
          f"{'FAIL ' + ', '.join(target) if target else 'PASS'}", flush=True)
    return timings, {"bulk": runs, "bulk_copies": made, "bulk_setup_s": made_s}, failures


@scenario("documents", "The document manager: search and filter pages (API and HTML: q in "
                       "English and Chinese, label, annotator, status, orderings with a deep "
                       "cursor, meta, combined) as the manager, then bulk actions (assign, "
                       "gold_check, ungold_check, delete) over 100,000 documents as jobs.")
def run(ctx: Context) -> ScenarioResult:
    from bench.env import setup_django

    setup_django(ctx.env)
    chosen = parts()
    started = time.perf_counter()
    dropped = copies_drop(ctx.project_id)  # a run that died may have left them
    slice_meta(ctx.project_id, False)
    tagged = slice_meta(ctx.project_id, True)
    vacuum()
    print(f"setup: meta slice on {tagged} documents, {dropped} stale copies dropped, "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    token = fetch_token(ctx.base_url, ctx.username, ctx.password)
    load: LoadResult | None = None
    extra: dict[str, object] = {"meta_rows": tagged}
    failures: list[str] = []
    timings: dict[str, float] = {}
    try:
        if chosen & {"load", "alone"}:
            load, found, failed = run_search(ctx, token, chosen)
            extra.update(found)
            failures += failed
        if "bulk" in chosen:
            timings, found, failed = run_bulk(ctx, token)
            extra.update(found)
            failures += failed
    finally:
        left = copies_drop(ctx.project_id)
        slice_meta(ctx.project_id, False)
        vacuum("annotation_document", "annotation_annotation", "annotation_assignment",
               "annotation_span")
        if left:
            print(f"cleanup: {left} bulk copies were left and are deleted", flush=True)
    return ScenarioResult(load=load, timings=timings, failures=failures, extra=extra)
