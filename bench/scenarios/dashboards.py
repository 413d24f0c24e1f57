"""`dashboards`: every dashboard and review page of the big project, with the server's time.

Setup, before any clock: each document gets a `meta` `source` (five values, by id) and
`lang` (zh when the text has a CJK ideograph, else en); GOLD annotated documents get gold
through the API (PUT .../gold/, a copy of one annotator's submission, as the manager), and
CHECKS of them become gold checks when the app has them; then the agreement report is
recomputed through the API (its job stores the per-document disagreement scores and the
balance slices). The load clients, logged in as the manager, cycle through every page that
exists in annotation/urls.py: review queue, adjudication, agreement, balance, progress, gold
checks, audit (a page whose URL name does not resolve is left out, and said so). Each answer
carries the app's own time (Server-Timing, config/timing.py); the target is on it.

At the end (and at the start, for a run that died) the meta goes back to {}, the gold, its
revisions and audit events go, the documents are `annotated` again and no longer checks, so
a kept database stays as the seed made it (the agreement reports stay: they are history).
"""

import time
from datetime import datetime
from typing import Any

import httpx

from bench.load import Endpoint, Kind, LoadResult, api_client, fetch_token, run_load, web_client
from bench.scenarios import Context, ScenarioResult, scenario

SOURCES = ("news", "blog", "forum", "wire", "social")
TARGET_MS = 200.0  # p99 of each page's server time (Server-Timing app;dur)
GOLD = 200  # annotated documents given gold, spread through the project
CHECKS = 50  # of them marked as gold checks
POLL = 0.25


def set_meta(project_id: int, on: bool) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        if on:
            cur.execute(
                "UPDATE annotation_document SET meta = jsonb_build_object("
                "'source', (%s::text[])[1 + id %% 5], "
                "'lang', CASE WHEN text ~ '[一-鿿]' THEN 'zh' ELSE 'en' END) "
                "WHERE project_id = %s", [list(SOURCES), project_id])
        else:
            cur.execute("UPDATE annotation_document SET meta = '{}'::jsonb "
                        "WHERE project_id = %s", [project_id])
        return cur.rowcount


def vacuum() -> None:
    """Clear the dead rows the meta UPDATE left, so autovacuum does not run during the load."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("annotation_document", "annotation_annotation"):
            cur.execute(f"VACUUM (ANALYZE) {table}")


def gold_undo(project_id: int) -> int:
    """Remove what the setup wrote: the seed has no gold, so every gold here is ours."""
    from django.db import transaction

    from annotation.models import (
        Annotation,
        AnnotationKind,
        Document,
        DocumentStatus,
        GoldRevision,
    )
    from projects.models import AuditAction, AuditEvent

    with transaction.atomic():
        ids = list(Annotation.objects.filter(project_id=project_id, kind=AnnotationKind.GOLD)
                   .values_list("document_id", flat=True))
        Annotation.objects.filter(project_id=project_id, kind=AnnotationKind.GOLD).delete()
        GoldRevision.objects.filter(project_id=project_id).delete()
        AuditEvent.objects.filter(project_id=project_id,
                                  action=AuditAction.GOLD_CHANGE).delete()
        Document.objects.filter(pk__in=ids).update(status=DocumentStatus.ANNOTATED,
                                                   is_gold_check=False)
    return len(ids)


def gold_give(client: httpx.Client, project_id: int) -> list[int]:
    """GOLD annotated documents, evenly spread, get a copy of a submission as their gold."""
    from annotation.models import Document, DocumentStatus

    annotated = list(Document.objects.filter(project_id=project_id,
                                             status=DocumentStatus.ANNOTATED)
                     .order_by("id").values_list("pk", flat=True))
    chosen = annotated[::max(1, len(annotated) // GOLD)][:GOLD]
    base = f"/api/v1/projects/{project_id}/documents"
    for doc in chosen:
        first = client.get(f"{base}/{doc}/annotations/").raise_for_status().json()[0]
        client.put(f"{base}/{doc}/gold/", json={
            "entities": first["entities"], "relations": first["relations"],
            "sentiment": first["sentiment"], "version": 0}).raise_for_status()
    return chosen


def url(name: str, *args: int) -> str | None:
    """The path of a URL name, or None when the app has no such page (yet)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def checks_mark(client: httpx.Client, project_id: int, documents: list[int]) -> int | None:
    path = url("api:gold-checks", project_id)
    if path is None or not documents:
        return None
    response = client.post(path, json={"documents": documents[:CHECKS]})
    response.raise_for_status()
    return int(response.json()["marked"])


def recompute(client: httpx.Client, project_id: int) -> dict[str, Any]:
    response = client.post(f"/api/v1/projects/{project_id}/agreement/")
    response.raise_for_status()
    job = response.json()
    while job["status"] in ("queued", "running"):
        time.sleep(POLL)
        job = client.get(f"/api/v1/jobs/{job['id']}/").json()
    seconds = None
    if job.get("started_at") and job.get("finished_at"):
        seconds = (datetime.fromisoformat(job["finished_at"])
                   - datetime.fromisoformat(job["started_at"])).total_seconds()
    return {"id": job["id"], "status": job["status"], "message": job.get("message"),
            "seconds": seconds}


def most_disagreed(project_id: int) -> int | None:
    """The document at the top of the review queue: the highest score still to review."""
    from annotation.models import AgreementReport, DocumentDisagreement, DocumentStatus

    report = AgreementReport.objects.filter(project_id=project_id).first()
    return (DocumentDisagreement.objects.filter(report=report,
                                                document__status=DocumentStatus.ANNOTATED)
            .order_by("-score", "document_id").values_list("document_id", flat=True).first())


def endpoints(ctx: Context, top: int | None, job: int | None
              ) -> tuple[list[Endpoint], list[str]]:
    """Every dashboard and review page the app has, and the URL names it does not have.
    `job`: the finished agreement job, for the Recompute button's htmx progress partial."""
    pid, labels = ctx.project_id, ctx.seed.fixture.labels
    pages: list[tuple[str, str, str | None, str, Kind]] = [
        ("review", "projects:review", None, "", "web"),
        ("review partial (htmx)", "projects:review", None, "", "htmx"),
        ("review partial LOC (htmx)", "projects:review", None,
         f"?label={labels[('entity', 'LOC')]}&sort=oldest", "htmx"),
        ("review oldest", "projects:review", None, "?sort=oldest", "web"),
        ("review label LOC", "projects:review", None,
         f"?label={labels[('entity', 'LOC')]}", "web"),
        ("review label located_in", "projects:review", None,
         f"?label={labels[('relation', 'located_in')]}&sort=newest", "web"),
        ("adjudicate top document", "projects:adjudicate", "top", "", "web"),
        ("agreement", "projects:agreement", None, "", "web"),
        ("agreement job partial (htmx)", "projects:agreement", None, f"?job={job}", "htmx"),
        ("balance", "projects:balance", None, "", "web"),
        ("balance by source", "projects:balance", None, "?field=source", "web"),
        ("balance by lang", "projects:balance", None, "?field=lang&min_share=5", "web"),
        ("balance partial (htmx)", "projects:balance", None, "?field=source", "htmx"),
        ("progress", "projects:progress", None, "", "web"),
        ("progress partial (htmx)", "projects:progress", None, "", "htmx"),
        ("gold checks", "projects:gold-checks", None, "", "web"),
        ("audit", "projects:audit", None, "", "web"),
        ("audit gold changes", "projects:audit", None, "?action=gold_change", "web"),
    ]
    if job is None:  # no job to show: the partial would be the full page
        pages = [page for page in pages if not page[3].startswith("?job=")]
    found, missing = [], []
    for label, name, extra, query, client in pages:
        args = (pid, top) if extra == "top" else (pid,)
        path = url(name, *args) if extra != "top" or top is not None else None
        if path is None:
            missing.append(name)
        else:
            found.append(Endpoint(label, path + query, client=client))
    return found, sorted(set(missing))


def verdicts(load: LoadResult) -> list[dict[str, Any]]:
    return [{"page": s.name, "requests": s.requests, "server_p50_ms": s.server_p50_ms,
             "server_p95_ms": s.server_p95_ms, "server_p99_ms": s.server_p99_ms,
             "server_max_ms": s.server_max_ms, "server_cpu_p50_ms": s.server_cpu_p50_ms,
             "server_db_p50_ms": s.server_db_p50_ms, "queries_p50": s.queries_p50,
             "queries_max": s.queries_max, "client_p95_ms": s.p95_ms,
             "pass": s.server_p99_ms is not None and s.server_p99_ms < TARGET_MS}
            for s in load.endpoints]


def _cell(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_targets(rows: list[dict[str, Any]]) -> None:
    """The per-page table, as Markdown (docs/dashboards.md takes it as printed)."""
    print(f"target: each page's server time p99 < {TARGET_MS:.0f} ms (Server-Timing app: wall "
          "time in the app; cpu: the worker's CPU time; db: time in SQL; queries: SQL "
          "statements per request, p50 / max)", flush=True)
    print("| page | reqs | p50 ms | p95 ms | p99 ms | max ms | cpu p50 | db p50 | queries "
          "| target |", flush=True)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |", flush=True)
    for row in rows:
        queries = (f"{row['queries_p50']:.0f} / {row['queries_max']}"
                   if row["queries_p50"] is not None else "–")
        print(f"| {row['page']} | {row['requests']} | {_cell(row['server_p50_ms'])} "
              f"| {_cell(row['server_p95_ms'])} | {_cell(row['server_p99_ms'])} "
              f"| {_cell(row['server_max_ms'])} | {_cell(row['server_cpu_p50_ms'])} "
              f"| {_cell(row['server_db_p50_ms'])} | {queries} "
              f"| {'PASS' if row['pass'] else 'FAIL'} |", flush=True)
    failed = [r["page"] for r in rows if not r["pass"]]
    print(f"dashboards: {'FAIL ' + ', '.join(failed) if failed else 'PASS'}", flush=True)


@scenario("dashboards", "Every dashboard and review page (review queue, adjudication, "
                        "agreement, balance, progress, gold checks, audit) as the manager, "
                        "after gold on some documents and a recomputed report; server time.")
def run(ctx: Context) -> ScenarioResult:
    from bench.env import setup_django

    setup_django(ctx.env)
    gold_undo(ctx.project_id)  # a run that died may have left its gold
    rows = set_meta(ctx.project_id, True)
    try:
        token = fetch_token(ctx.base_url, ctx.username, ctx.password)
        with api_client(ctx.base_url, token) as client:
            started = time.perf_counter()
            gold = gold_give(client, ctx.project_id)
            gold_seconds = time.perf_counter() - started
            checks = checks_mark(client, ctx.project_id, gold)
            job = recompute(client, ctx.project_id)
        vacuum()
        failures = [] if job["status"] == "succeeded" else [f"agreement job: {job}"]
        top = most_disagreed(ctx.project_id)
        targets, missing = endpoints(ctx, top, job.get("id"))

        def make_clients(_: int) -> dict[Kind, httpx.Client]:
            web = web_client(ctx.base_url, ctx.username, ctx.password)
            htmx = web_client(ctx.base_url, ctx.username, ctx.password)
            htmx.headers["HX-Request"] = "true"
            return {"web": web, "htmx": htmx}

        load = run_load(make_clients, targets, ctx.concurrency, ctx.warmup, ctx.duration,
                        ctx.requests, ctx.cpu)
    finally:
        set_meta(ctx.project_id, False)
        gold_undo(ctx.project_id)
        vacuum()
    print(f"setup: meta on {rows} documents; gold on {len(gold)} ({gold_seconds:.1f} s "
          f"through the API); gold checks marked: {checks}; agreement job {job['seconds']} s; "
          f"adjudicated document {top}; pages not in the app: {', '.join(missing) or 'none'}",
          flush=True)
    table = verdicts(load)
    print_targets(table)
    timings = {"agreement job (worker)": job["seconds"]} if job["seconds"] else {}
    return ScenarioResult(load=load, timings=timings, failures=failures,
                          extra={"paths": {e.name: e.path for e in targets}, "job": job,
                                 "targets": table, "target_ms": TARGET_MS, "missing": missing,
                                 "gold_documents": len(gold), "gold_checks": checks,
                                 "adjudicated": top, "meta_rows": rows})
