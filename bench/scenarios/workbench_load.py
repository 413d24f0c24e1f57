"""The workbench bench's API load: annotators from concurrent clients, each looping next
document, DRAFTS autosaves (each adding an entity and a relation) and a submit."""

import random
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.load import LoadResult, Sample, run_users, server_timing, summarize
from bench.procs import Monitor
from bench.textgen import RELATIONS, SENTIMENTS

DRAFTS = 3  # autosaves per document, each adding an entity, before the submit
CHAIN = ("PER", "ORG", "LOC")  # the entities a document gets, in order

NEXT, DRAFT, SUBMIT = 0, 1, 2
WORD = re.compile(r"\w+")
RELATION_OF = {pair: name for name, pair in RELATIONS.items()}


def plan_spans(text: str, rng: random.Random) -> list[tuple[int, int]]:
    """Three word spans (code points, at most 6 long), one in each third of the words."""
    words = list(WORD.finditer(text))
    n = len(words)
    if n < len(CHAIN):
        return []
    picks = [words[rng.randrange(i * n // 3, (i + 1) * n // 3)] for i in range(len(CHAIN))]
    return [(m.start(), min(m.end(), m.start() + 6)) for m in picks]


def content(spans: list[tuple[int, int]], count: int) -> dict[str, Any]:
    """The first `count` entities PER, ORG, LOC, with works_for and located_in between them."""
    entities = [{"id": f"T{i + 1}", "start": s, "end": e, "label": CHAIN[i]}
                for i, (s, e) in enumerate(spans[:count])]
    relations = [{"head": f"T{i + 1}", "tail": f"T{i + 2}",
                  "label": RELATION_OF[(CHAIN[i], CHAIN[i + 1])]}
                 for i in range(len(entities) - 1)]
    return {"entities": entities, "relations": relations}


class Annotator:
    """One annotator: next; DRAFTS autosaves, each adding an entity; a submit; next again.
    After a failed save it asks for next, which gives back its lease at its current version."""

    def __init__(self, client: httpx.Client, project_id: int, seed: int,
                 think: float = 0.0) -> None:
        self.client = client
        self.rng = random.Random(seed)
        self.think = think  # mean pause between requests, uniform over 0.5x..1.5x
        self.next_url = f"/api/v1/projects/{project_id}/next/"
        self.docs_url = f"/api/v1/projects/{project_id}/documents/"
        self.document: dict[str, Any] | None = None
        self.spans: list[tuple[int, int]] = []
        self.version = 0
        self.saves = 0
        self.seconds = 0.0
        self.samples: list[Sample] = []
        self.statuses: dict[str, int] = {}  # non-2xx answers, by endpoint and status

    def request(self) -> Sample:
        return self._save() if self.document is not None else self._next()

    def _call(self, endpoint: int, method: str, url: str, **kwargs: Any
              ) -> tuple[Sample, httpx.Response | None]:
        started = time.perf_counter()
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            return Sample(endpoint, time.perf_counter() - started, 0, 0,
                          type(exc).__name__), None
        timing = server_timing(response)
        sample = Sample(endpoint, time.perf_counter() - started, response.status_code,
                        len(response.content), server_ms=timing.get("app"),
                        server_cpu_ms=timing.get("cpu"), server_db_ms=timing.get("db"),
                        queries=int(timing["queries"]) if "queries" in timing else None)
        if not 200 <= response.status_code < 300:
            sample.error = f"HTTP {response.status_code} {response.text[:160]}"
            key = f"{('next', 'draft', 'submit')[endpoint]} {response.status_code}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
        return sample, response

    def _next(self) -> Sample:
        sample, response = self._call(NEXT, "GET", self.next_url)
        if response is not None and response.status_code == 200:
            body = response.json()
            self.document = body["document"]
            self.version = body["annotation"]["version"]
            self.seconds = body["annotation"]["seconds_spent"]
            self.spans = plan_spans(self.document["text"], self.rng)
            self.saves = 0
        return sample

    def _save(self) -> Sample:
        assert self.document is not None
        self.saves += 1
        submit = self.saves > DRAFTS
        self.seconds += round(self.rng.uniform(2, 12), 1)
        body = {**content(self.spans, min(self.saves, DRAFTS)),
                "sentiment": self.rng.choice(SENTIMENTS) if submit else None,
                "status": "submitted" if submit else "draft",
                "version": self.version, "seconds_spent": self.seconds}
        url = f"{self.docs_url}{self.document['id']}/annotation/"
        sample, response = self._call(SUBMIT if submit else DRAFT, "PUT", url, json=body)
        if response is not None and response.status_code == 200:
            self.version = response.json()["version"]
            if submit:
                self.document = None
        else:
            self.document = None  # ask next again: it resumes the lease
        return sample

    def close(self) -> None:
        self.client.close()

    def run(self, keep_going: Callable[[], bool], record: bool) -> None:
        while keep_going():
            sample = self.request()
            if record:
                self.samples.append(sample)
            if self.think:
                time.sleep(self.rng.uniform(0.5, 1.5) * self.think)


CpuReader = Callable[[], dict[str, float]]


def run_annotators(make: Callable[[int], Annotator], concurrency: int, warmup: float,
                   duration: float | None, requests: int | None,
                   cpu: CpuReader) -> tuple[LoadResult, list[Annotator]]:
    """bench.load.run_users with annotators; a row per endpoint and for all saves."""
    done = run_users(make, concurrency, warmup, duration, requests, cpu)
    by = {k: [s for s in done.samples if s.endpoint == k] for k in (NEXT, DRAFT, SUBMIT)}
    rows = [summarize("next", by[NEXT], done.seconds),
            summarize("save (drafts+submits)", by[DRAFT] + by[SUBMIT], done.seconds),
            summarize("save draft", by[DRAFT], done.seconds),
            summarize("save submit", by[SUBMIT], done.seconds)]
    return LoadResult(rows, summarize("total", done.samples, done.seconds), done.seconds,
                      warmup, concurrency, done.cpu), done.users


def postmaster_pid() -> int | None:
    """The PostgreSQL server's main process, if it runs on this machine."""
    from pathlib import Path

    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split("(", 1)[1].rsplit(")", 1)
        except (OSError, IndexError, ValueError):
            continue
        if name == "postgres":
            parent = Path(f"/proc/{rest.split()[1]}/comm")
            try:
                if parent.read_text().strip() != "postgres":
                    return int(stat.parent.name)
            except OSError:
                return int(stat.parent.name)
    return None


def with_database(cpu: CpuReader) -> CpuReader:
    """ctx.cpu plus the PostgreSQL server's CPU (all its databases: keep the machine quiet)."""
    pid = postmaster_pid()
    database = Monitor({"postgres": pid}) if pid else None

    def read() -> dict[str, float]:
        used = dict(cpu())
        if database:
            used["postgres"] = database.cpu()["postgres"]
        return used

    return read
