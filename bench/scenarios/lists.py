"""`lists`: the project list and the document list, as API and as HTML, under N clients."""

import httpx

from bench.load import Endpoint, Kind, api_client, fetch_token, run_load, web_client
from bench.scenarios import Context, ScenarioResult, scenario


def endpoints(project_id: int, n: int) -> list[Endpoint]:
    docs = f"/api/v1/projects/{project_id}/documents/"
    page = f"/projects/{project_id}/documents/"
    middle = n // 2  # documents are seeded with consecutive ids from 1: keyset ?after=
    return [
        Endpoint("api projects", "/api/v1/projects/"),
        Endpoint("api documents", docs),
        Endpoint("api documents walk", docs, follow_next=True),
        Endpoint("api documents annotated", f"{docs}?status=annotated"),
        Endpoint("html projects", "/", client="web"),
        Endpoint("html documents", page, client="web"),
        Endpoint("html documents annotated", f"{page}?status=annotated", client="web"),
        Endpoint("html documents mid page", f"{page}?after={middle}", client="web"),
    ]


@scenario("lists", "GET project and document lists (API with cursor walk, HTML with "
                   "keyset pages) as the manager, from concurrent clients.")
def run(ctx: Context) -> ScenarioResult:
    token = fetch_token(ctx.base_url, ctx.username, ctx.password)

    def make_clients(_: int) -> dict[Kind, httpx.Client]:
        return {"api": api_client(ctx.base_url, token),
                "web": web_client(ctx.base_url, ctx.username, ctx.password)}

    targets = endpoints(ctx.project_id, ctx.seed.n)
    load = run_load(make_clients, targets, ctx.concurrency, ctx.warmup, ctx.duration,
                    ctx.requests, ctx.cpu)
    return ScenarioResult(load=load, extra={"paths": {e.name: e.path for e in targets}})
