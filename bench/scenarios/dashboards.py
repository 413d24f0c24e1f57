"""`dashboards`: the agreement dashboard and the data-balance view on the big project.

The seeded documents have no meta, so the scenario first gives each one a `source` (five
values, by id) and a `lang` (zh when the text has a CJK ideograph, else en), recomputes the
agreement report through the API (its job now also counts labels per slice of both fields and
computes the agreement inside each slice), then measures the pages as the manager: the
dashboard, the balance view unsliced, sliced by each field, and the htmx partial. The meta
is put back to {} at the end, so a kept database stays as the seed made it.
"""

import time
from datetime import datetime
from typing import Any

import httpx

from bench.load import Endpoint, Kind, api_client, fetch_token, run_load, web_client
from bench.scenarios import Context, ScenarioResult, scenario

SOURCES = ("news", "blog", "forum", "wire", "social")
TARGET_MS = 200.0  # p95 of each page, measured at the client
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
    return {"status": job["status"], "message": job.get("message"), "seconds": seconds}


def endpoints(project_id: int) -> list[Endpoint]:
    page = f"/projects/{project_id}/agreement/"
    return [
        Endpoint("html agreement dashboard", page, client="web"),
        Endpoint("html balance", f"{page}balance/", client="web"),
        Endpoint("html balance by source", f"{page}balance/?field=source", client="web"),
        Endpoint("html balance by lang", f"{page}balance/?field=lang&min_share=5", client="web"),
        Endpoint("htmx balance partial", f"{page}balance/?field=source", client="htmx"),
    ]


@scenario("dashboards", "The agreement dashboard and the balance view (unsliced, sliced by "
                        "two meta fields, the htmx partial) as the manager, after a report "
                        "recomputed with meta on every document.")
def run(ctx: Context) -> ScenarioResult:
    from bench.env import setup_django

    setup_django(ctx.env)
    rows = set_meta(ctx.project_id, True)
    try:
        token = fetch_token(ctx.base_url, ctx.username, ctx.password)
        with api_client(ctx.base_url, token) as client:
            job = recompute(client, ctx.project_id)
        failures = [] if job["status"] == "succeeded" else [f"agreement job: {job}"]

        def make_clients(_: int) -> dict[Kind, httpx.Client]:
            web = web_client(ctx.base_url, ctx.username, ctx.password)
            htmx = web_client(ctx.base_url, ctx.username, ctx.password)
            htmx.headers["HX-Request"] = "true"
            return {"web": web, "htmx": htmx}

        targets = endpoints(ctx.project_id)
        load = run_load(make_clients, targets, ctx.concurrency, ctx.warmup, ctx.duration,
                        ctx.requests, ctx.cpu)
    finally:
        set_meta(ctx.project_id, False)
    slow = [s.name for s in load.endpoints if s.p95_ms >= TARGET_MS]
    print(f"agreement job with balance slices: {job['seconds']} s; documents given meta: "
          f"{rows}; p95 target {TARGET_MS:.0f} ms: "
          f"{'FAIL ' + ', '.join(slow) if slow else 'PASS'}", flush=True)
    timings = {"agreement job (worker)": job["seconds"]} if job["seconds"] else {}
    return ScenarioResult(load=load, timings=timings, failures=failures,
                          extra={"paths": {e.name: e.path for e in targets}, "job": job,
                                 "slow": slow, "meta_rows": rows})
