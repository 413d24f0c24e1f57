"""`workbench`: annotators labeling through the API (next document, autosaves, submit) from
concurrent clients; then the workbench page in Chromium: the bytes it takes to open, and a
50,000-character document with 1,000 entities (time to ready, time for one edit)."""

import random
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.load import LoadResult, api_client
from bench.scenarios import Context, ScenarioResult, scenario
from bench.scenarios.workbench_browser import BROWSER_USER, HUGE_USER, LONG_USER, browse
from bench.scenarios.workbench_load import Annotator, run_annotators, with_database
from bench.seed import PASSWORD
from bench.textgen import sentence_pool

PREFIX = "bench-wb-"
ANNOTATOR = PREFIX + "ann{}"  # the load's annotators, one per client
LONG_ID = "bench-wb-long-document"  # its external id
LONG_CHARS = 50_000
LONG_ENTITIES = 1_000
LONG_SEED = 1
HUGE_ID = "bench-wb-huge-document"  # 1,000,000 characters, 10,000 entities
HUGE_CHARS = 1_000_000
HUGE_ENTITIES = 10_000
EMOJI = ("😀", "🚀", "👩‍💻", "🇯🇵", "👍🏽", "🎉", "📈", "☕")

KB = 1024  # as the table's "avg KB"
TARGETS = {"next p99 ms": 30.0, "save p99 ms": 50.0, "workbench KB": 150.0,
           "long edit to next frame ms": 16.0, "long autosave server ms": 50.0,
           "huge document ready ms": 1500.0, "huge scroll frames over 16.7 ms %": 5.0}

@dataclass
class Setup:
    tokens: list[str]
    long_document_id: int
    long_chars: int
    long_entities: int
    huge_document_id: int
    reset: dict[str, int]
    seconds: float

    def facts(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 2), "annotators": len(self.tokens),
                "long_document_id": self.long_document_id, "long_chars": self.long_chars,
                "long_entities": self.long_entities, "huge_document_id": self.huge_document_id,
                "reset": self.reset}


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
    project.documents.filter(external_id__in=[LONG_ID, HUGE_ID]).delete()
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
    from annotation.services.annotations import annotation_write
    from annotation.services.store import documents_create
    from projects.models import Project

    started = time.perf_counter()
    project = Project.objects.get(pk=ctx.project_id)
    load_users = [_annotator(project, ANNOTATOR.format(i + 1)) for i in range(ctx.concurrency)]
    _annotator(project, BROWSER_USER)
    long_user = _annotator(project, LONG_USER)
    huge_user = _annotator(project, HUGE_USER)
    # Every earlier bench-wb- user, in case an earlier run had more clients.
    reset = _reset(project, list(get_user_model().objects.filter(username__startswith=PREFIX)))
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in load_users]

    made = {}
    for external_id, user, chars, count in ((LONG_ID, long_user, LONG_CHARS, LONG_ENTITIES),
                                            (HUGE_ID, huge_user, HUGE_CHARS, HUGE_ENTITIES)):
        text, entities = long_document(LONG_SEED, chars, count)
        documents_create(project=project, records=[{"text": text, "id": external_id}])
        document = project.documents.get(external_id=external_id)
        Assignment.objects.create(project=project, document=document, annotator=user,
                                  status=AssignmentStatus.ACTIVE,
                                  expires_at=timezone.now() + timedelta(hours=6))
        annotation_write(project=project, document_id=document.pk, user=user,
                         content={"entities": entities, "relations": [], "sentiment": None},
                         version=0, status="draft", seconds_spent=60.0)
        made[external_id] = (document.pk, len(text), len(entities))
    long_id, long_chars, long_count = made[LONG_ID]
    return Setup(tokens, long_id, long_chars, long_count, made[HUGE_ID][0], reset,
                 time.perf_counter() - started)


# ---------------------------------------------------------------- the browser


def summary(load: LoadResult, pages: dict[str, Any], setup: Setup) -> tuple[list[str], dict]:
    """The lines printed before the table (targets, resources, the long document)."""
    rows = {s.name: s for s in load.endpoints}
    ordinary, long, edits = pages["ordinary"], pages["long"], pages["edited"]["edits"]
    huge_ready = [p["timing"]["ready_ms"] for p in pages["huge"]]
    scrolled = pages["scroll"]
    figures = {"next p99 ms": rows["next"].p99_ms,
               "save p99 ms": rows["save (drafts+submits)"].p99_ms,
               "workbench KB": ordinary["body_bytes"] / KB,
               "long edit to next frame ms": statistics.median(e["frame_ms"] for e in edits),
               "long autosave server ms": statistics.median(
                   e["save_server_ms"] for e in edits),
               "huge document ready ms": statistics.median(huge_ready),
               "huge scroll frames over 16.7 ms %": scrolled["over_16_7_pct"]}
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
        f"its autosave PUT (of its changes; answered "
        f"{'briefly' if not edits[-1]['saved_entities'] else 'with the content'}) "
        f"{median(e['save_ms'] for e in edits):.0f} ms (server "
        f"{median(e['save_server_ms'] for e in edits):.1f} ms; "
        f"{median(e['save_request_bytes'] for e in edits):.0f} bytes sent)",
        f"  targets: edit {verdict['long edit to next frame ms']} (< 16 ms), autosave on the "
        f"server {verdict['long autosave server ms']} (< 50 ms)",
        f"huge document ({HUGE_CHARS:,} characters, {HUGE_ENTITIES:,} entities): ready "
        f"{median(huge_ready):.0f} ms (median of {', '.join(f'{r:.0f}' for r in huge_ready)})"
        f" < 1,500 ms {verdict['huge document ready ms']}; scrolling at its start, middle and "
        f"end: {scrolled['fps']} frames/s, frame p50 {scrolled['p50_ms']} ms, p95 "
        f"{scrolled['p95_ms']} ms, max {scrolled['max_ms']} ms; frames over 16.7 ms "
        f"{scrolled['over_16_7_pct']}% (< 5%: {verdict['huge scroll frames over 16.7 ms %']})"
        f", over 33 ms {scrolled['over_33_pct']}%",
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
        pages = browse(ctx.base_url, ctx.project_id, setup.long_document_id,
                       setup.huge_document_id)
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

