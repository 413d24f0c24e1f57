"""`workbench`: annotators labeling through the API (next document, autosaves, submit) from
concurrent clients; then the workbench page in Chromium: the bytes it takes to open, and a
50,000-character document with 1,000 entities (time to ready, time for one edit)."""

import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from bench.load import Budget, LoadResult, Sample, api_client, summarize
from bench.procs import Monitor
from bench.scenarios import Context, ScenarioResult, scenario
from bench.scenarios.workbench_browser import BROWSER_USER, LONG_USER, browse
from bench.seed import PASSWORD
from bench.textgen import RELATIONS, SENTIMENTS, sentence_pool

PREFIX = "bench-wb-"
ANNOTATOR = PREFIX + "ann{}"  # the load's annotators, one per client
LONG_ID = "bench-wb-long-document"  # its external id
LONG_CHARS = 50_000
LONG_ENTITIES = 1_000
DRAFTS = 3  # autosaves per document, each adding an entity, before the submit
CHAIN = ("PER", "ORG", "LOC")  # the entities a document gets, in order
LONG_SEED = 1
EMOJI = ("😀", "🚀", "👩‍💻", "🇯🇵", "👍🏽", "🎉", "📈", "☕")

KB = 1024  # as the table's "avg KB"
TARGETS = {"next p99 ms": 30.0, "save p99 ms": 50.0, "workbench KB": 150.0}

@dataclass
class Setup:
    tokens: list[str]
    long_document_id: int
    long_chars: int
    long_entities: int
    reset: dict[str, int]
    seconds: float

    def facts(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 2), "annotators": len(self.tokens),
                "long_document_id": self.long_document_id, "long_chars": self.long_chars,
                "long_entities": self.long_entities, "reset": self.reset}


def long_document(seed: int, chars: int, entities: int) -> tuple[str, list[dict[str, Any]]]:
    """English and Chinese sentences with emoji, cut to `chars` code points, and `entities`
    of their mentions, evenly spread, as code-point spans (no overlaps: one per mention)."""
    rng = random.Random(seed + 99)
    pools = {lang: sentence_pool(lang, seed) for lang in ("en", "zh")}
    parts: list[str] = []
    mentions: list[tuple[int, int, str]] = []
    pos = 0
    while pos < chars:
        lang = "zh" if rng.random() < 0.45 else "en"
        sentence = rng.choice(pools[lang])
        piece = sentence.text + (" " if lang == "en" else "")
        if rng.random() < 0.15:
            piece += rng.choice(EMOJI) + " "
        if rng.random() < 0.05:
            piece += "\n\n"
        mentions.extend((pos + s, pos + e, kind) for s, e, kind in sentence.entities)
        parts.append(piece)
        pos += len(piece)
    text = "".join(parts)[:chars]
    mentions = [m for m in mentions if m[1] <= chars]
    if len(mentions) < entities:
        raise RuntimeError(f"the long document has only {len(mentions)} mentions")
    step = len(mentions) / entities
    chosen = [mentions[int(i * step)] for i in range(entities)]
    return text, [{"id": f"T{i + 1}", "start": s, "end": e, "label": kind}
                  for i, (s, e, kind) in enumerate(chosen)]


def _annotator(project: Any, username: str) -> Any:
    from django.contrib.auth import get_user_model

    from projects import services
    from projects.models import Membership

    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    if not Membership.objects.filter(project=project, user=user).exists():
        services.member_add(project=project, username=username, role="annotator")
    return user


def _reset(project: Any, users: list[Any]) -> dict[str, int]:
    """Undo earlier runs on a kept database: the users' annotations and leases, and the long
    document; the documents they completed go back to `new`."""
    from django.db.models import Count, Q

    from annotation.models import Annotation, Assignment, Document, DocumentStatus

    touched = set(Annotation.objects.filter(annotator__in=users)
                  .values_list("document_id", flat=True))
    annotations, _ = Annotation.objects.filter(annotator__in=users).delete()
    assignments, _ = Assignment.objects.filter(annotator__in=users).delete()
    project.documents.filter(external_id=LONG_ID).delete()
    # The document status rule of annotation_save, for the documents those users touched.
    submitted = Count("annotations", filter=Q(annotations__kind="annotation",
                                              annotations__status="submitted"))
    back = list(Document.objects.filter(pk__in=touched, status=DocumentStatus.ANNOTATED)
                .annotate(n=submitted).filter(n__lt=project.overlap)
                .values_list("pk", flat=True))
    Document.objects.filter(pk__in=back).update(status=DocumentStatus.NEW)
    return {"rows_deleted": annotations + assignments, "documents_reopened": len(back)}


def prepare(ctx: Context) -> Setup:
    """Annotators (members, tokens), a clean slate, and the long document leased to one."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from annotation.models import Assignment, AssignmentStatus
    from annotation.services.annotations import documents_create
    from annotation.services.assignments import annotation_write
    from projects.models import Project

    started = time.perf_counter()
    project = Project.objects.get(pk=ctx.project_id)
    load_users = [_annotator(project, ANNOTATOR.format(i + 1)) for i in range(ctx.concurrency)]
    _annotator(project, BROWSER_USER)
    long_user = _annotator(project, LONG_USER)
    # Every earlier bench-wb- user, in case an earlier run had more clients.
    reset = _reset(project, list(get_user_model().objects.filter(username__startswith=PREFIX)))
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in load_users]

    text, entities = long_document(LONG_SEED, LONG_CHARS, LONG_ENTITIES)
    documents_create(project=project, records=[{"text": text, "id": LONG_ID}])
    document = project.documents.get(external_id=LONG_ID)
    Assignment.objects.create(project=project, document=document, annotator=long_user,
                              status=AssignmentStatus.ACTIVE,
                              expires_at=timezone.now() + timedelta(hours=6))
    annotation_write(project=project, document_id=document.pk, user=long_user,
                     content={"entities": entities, "relations": [], "sentiment": None},
                     version=0, status="draft", seconds_spent=60.0)
    return Setup(tokens, document.pk, len(text), len(entities), reset,
                 time.perf_counter() - started)


# ---------------------------------------------------------------- the API load

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
        sample = Sample(endpoint, time.perf_counter() - started, response.status_code,
                        len(response.content))
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
    """Like bench.load.run_load, with annotators instead of an endpoint cycle."""
    budget = Budget(duration, requests)
    marks: dict[str, float] = {}
    cpu_before: dict[str, float] = {}

    def begin() -> None:
        cpu_before.update(cpu())
        marks["start"] = time.monotonic()
        budget.start()

    warm_done = threading.Barrier(concurrency, action=begin)
    users: list[Annotator] = []
    errors: list[BaseException] = []

    def user(i: int) -> None:
        try:
            annotator = make(i)
            users.append(annotator)
            warm_until = time.monotonic() + warmup
            annotator.run(lambda: time.monotonic() < warm_until, record=False)
            warm_done.wait()
            annotator.run(budget.take, record=True)
        except BaseException as exc:
            errors.append(exc)
            warm_done.abort()

    threads = [threading.Thread(target=user, args=(i,), name=f"annotator-{i}", daemon=True)
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - marks.get("start", time.monotonic())
    cpu_after = cpu()
    for annotator in users:
        annotator.client.close()
    if errors:
        raise RuntimeError(f"an annotator failed: {errors[0]!r}") from errors[0]
    samples = [s for a in users for s in a.samples]
    by = {k: [s for s in samples if s.endpoint == k] for k in (NEXT, DRAFT, SUBMIT)}
    rows = [summarize("next", by[NEXT], seconds),
            summarize("save (drafts+submits)", by[DRAFT] + by[SUBMIT], seconds),
            summarize("save draft", by[DRAFT], seconds),
            summarize("save submit", by[SUBMIT], seconds)]
    used = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    return LoadResult(rows, summarize("total", samples, seconds), seconds, warmup,
                      concurrency, used), users


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


# ---------------------------------------------------------------- the browser


def summary(load: LoadResult, pages: dict[str, Any], setup: Setup) -> tuple[list[str], dict]:
    """The lines printed before the table (targets, resources, the long document)."""
    rows = {s.name: s for s in load.endpoints}
    ordinary, long, edits = pages["ordinary"], pages["long"], pages["edited"]["edits"]
    figures = {"next p99 ms": rows["next"].p99_ms,
               "save p99 ms": rows["save (drafts+submits)"].p99_ms,
               "workbench KB": ordinary["body_bytes"] / KB}
    targets = {name: {"value": round(value, 2), "target": TARGETS[name],
                      "pass": value < TARGETS[name]} for name, value in figures.items()}
    verdict = {name: "PASS" if t["pass"] else "FAIL" for name, t in targets.items()}
    draft, submit = rows["save draft"], rows["save submit"]
    kb, headers = figures["workbench KB"], ordinary["header_bytes"] / KB

    def median(values: Any) -> float:
        return float(statistics.median(values))

    ready = [p["timing"]["ready_ms"] for p in long]
    first_byte = median(p["timing"]["response_start_ms"] for p in long)
    return [
        "targets:",
        f"  next p99                {figures['next p99 ms']:8.1f} ms   < 30 ms    "
        f"{verdict['next p99 ms']}",
        f"  save p99 (all)          {figures['save p99 ms']:8.1f} ms   < 50 ms    "
        f"{verdict['save p99 ms']}   (drafts {draft.p99_ms:.1f}, submits {submit.p99_ms:.1f})",
        f"  workbench, compressed   {kb:8.1f} KB   < 150 KB   {verdict['workbench KB']}   "
        f"({ordinary['requests']} responses, no fonts; headers {headers:.1f} KB more; "
        f"uncompressed {ordinary['decoded_bytes'] / KB:.1f} KB)",
        "workbench responses (body on the wire, uncompressed, content-encoding):",
        *(f"  {r['status']} {r['type']:<11}{r['body_bytes'] / KB:8.1f} KB"
          f"{r['decoded_bytes'] / KB:8.1f} KB  {r['encoding'] or 'none':<6}{r['path']}"
          for r in ordinary["resources"]),
        f"  (Chromium sent Accept-Encoding: {ordinary['resources'][0]['accept_encoding']})",
        f"long document ({setup.long_chars:,} characters, {setup.long_entities:,} entities): "
        f"ready {median(ready):.0f} ms after navigation start (median of "
        f"{', '.join(f'{r:.0f}' for r in ready)}); HTML first byte {first_byte:.0f} ms; "
        f"{long[0]['body_bytes'] / KB:.1f} KB on the wire "
        f"({long[0]['decoded_bytes'] / KB:.1f} KB uncompressed)",
        f"  one edit (select a word, press PER's key): "
        f"{median(e['frame_ms'] for e in edits):.1f} ms to the next frame, median of "
        f"{len(edits)} (key handler {median(e['handler_ms'] for e in edits):.1f} ms); "
        f"its autosave PUT ({edits[-1]['saved_entities']} entities) "
        f"{median(e['save_ms'] for e in edits):.0f} ms",
    ], targets


@scenario("workbench", "Annotators from concurrent clients: next document, 3 draft autosaves, "
                       "a submit (API, token auth); then in Chromium the bytes to open the "
                       "workbench and a 50,000-character document with 1,000 entities.")
def run(ctx: Context) -> ScenarioResult:
    setup = prepare(ctx)

    def make(i: int) -> Annotator:
        client = api_client(ctx.base_url, setup.tokens[i])
        return Annotator(client, ctx.project_id, seed=i, think=ctx.think)

    load, annotators = run_annotators(make, ctx.concurrency, ctx.warmup, ctx.duration,
                                      ctx.requests, with_database(ctx.cpu))
    try:
        pages = browse(ctx.base_url, ctx.project_id, setup.long_document_id)
    except Exception as exc:  # keep the load's figures
        return ScenarioResult(load=load, failures=[f"browser: {exc!r}"],
                              extra={"setup": setup.facts()})
    lines, targets = summary(load, pages, setup)
    print("\n".join(lines), flush=True)
    statuses: dict[str, int] = {}
    for annotator in annotators:
        for key, n in annotator.statuses.items():
            statuses[key] = statuses.get(key, 0) + n
    long_ready = statistics.median(p["timing"]["ready_ms"] for p in pages["long"]) / 1000
    edit_frame = statistics.median(e["frame_ms"] for e in pages["edited"]["edits"]) / 1000
    failures = [f"edit {i}: saved HTTP {e['save_status']}" for i, e in
                enumerate(pages["edited"]["edits"]) if e["save_status"] != 200]
    return ScenarioResult(
        load=load,
        timings={"workbench ready (ordinary document)":
                 pages["ordinary"]["timing"]["ready_ms"] / 1000,
                 "long document ready (median)": long_ready,
                 "long document edit to next frame (median)": edit_frame},
        failures=failures,
        extra={"targets": targets, "summary": lines, "setup": setup.facts(),
               "non_2xx": statuses, "pages": pages})

