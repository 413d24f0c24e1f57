"""`hostile`: feed the importer hostile files through the API and a real Celery worker, each
in a fresh worker under an address-space cap, and report the peak RSS of the worker child.

Issue 15's bar: for each file, the child's peak RSS under 500 MB, and the job ending failed
or succeeded with a clear message within 60 s.
"""

import os
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.env import ROOT, VENV_BIN, BenchEnv, setup_django
from bench.load import api_client, fetch_token
from bench.procs import Proc, Sampler, _children, start, tree_pids
from bench.scenarios import Context, ScenarioResult, scenario
from bench.scenarios.hostile_files import CASES, Case

MAX_RSS_MB = 500.0
MAX_SECONDS = 60.0
# The worker's address-space cap (prlimit --as): a runaway case gets a MemoryError (or dies)
# instead of taking the machine. BENCH_HOSTILE_AS_MB overrides it.
AS_LIMIT_MB = int(os.environ.get("BENCH_HOSTILE_AS_MB", "3072"))
SAMPLE_SECONDS = 0.05
# Messages that say nothing to the person who uploaded the file.
UNCLEAR = ("failed unexpectedly",)

# --- the worker: one per case, capped, its child sampled ---

def _status_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB; (0, 0) once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


@dataclass
class ChildSampler(Sampler):
    """Samples every child of the worker's parent every SAMPLE_SECONDS: the peak of VmRSS and
    of the kernel's own high-water mark (VmHWM, which sees spikes between samples)."""

    parent: int
    interval: float = field(default=SAMPLE_SECONDS, kw_only=True)
    peak_kb: int = 0
    pids: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)

    def children(self) -> list[int]:
        return [p for p in tree_pids(self.parent, _children()) if p != self.parent]

    def sample(self) -> None:
        alive = self.children()
        for pid in alive:
            rss, hwm = _status_kb(pid)
            self.peak_kb = max(self.peak_kb, rss, hwm)
        self.gone |= self.pids - set(alive)
        self.pids |= set(alive)


def start_capped_worker(env: BenchEnv, log_dir: Path, name: str, queue: str) -> Proc:
    """A prefork worker of one child (as production's), its address space capped; prlimit
    execs celery, so the pid is celery's own."""
    cmd = ["prlimit", f"--as={AS_LIMIT_MB * 1024 * 1024}", "--",
           str(VENV_BIN / "celery"), "-A", "config", "worker",
           "-Q", queue, "-c", "1", "-P", "prefork", "-n", f"{name}@{socket.gethostname()}",
           "--without-gossip", "--without-mingle", "--loglevel", "warning"]
    return start(name, cmd, env, log_dir)


def wait_ready(proc: Proc, node: str, timeout: float = 60.0) -> int:
    """Ping the worker by name until it answers and its child exists; the child's pid."""
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log_tail()}")
        if app.control.ping(destination=[node], timeout=1.0):
            kids = [p for p in tree_pids(proc.pid, _children()) if p != proc.pid]
            if kids:
                return kids[0]
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not answer a ping in {timeout}s:\n{proc.log_tail()}")


def kill_worker(proc: Proc) -> None:
    """SIGKILL the worker's own process group (started in its own session), then close."""
    if proc.alive():
        os.killpg(proc.pid, signal.SIGKILL)
        proc.popen.wait()
    proc.log.close()


# --- one case ---

def _project(client: httpx.Client, name: str) -> int:
    response = client.post("/api/v1/projects/", json={"name": name,
                                                      "tasks": ["ner", "sentiment"]})
    response.raise_for_status()
    return int(response.json()["id"])


def _summary(job: dict[str, Any]) -> str:
    """The job's message and first problem, or for a success the report's counts."""
    parts = [job.get("message") or ""]
    errors = job.get("errors") or []
    if errors:
        first = errors[0]
        parts.append(f"[line {first.get('line')} {first.get('field')}: {first.get('message')}]")
    result = job.get("result") or {}
    if job.get("status") == "succeeded" and result:
        parts.append(", ".join(f"{k}={result.get(k)}" for k in
                               ("read", "imported", "errors", "skipped") if k in result)
                     + (f", labels_created={len(result['labels_created'])}"
                        if result.get("labels_created") else ""))
    return " ".join(p for p in parts if p).strip()


def _clear(job: dict[str, Any] | None) -> bool:
    if job is None or job["status"] not in ("succeeded", "failed"):
        return False
    if job["status"] == "succeeded":
        return bool(job.get("result"))
    message = (job.get("message") or "").strip()
    return bool(message) and not any(u in message for u in UNCLEAR)


def _drop_upload(env: BenchEnv, job_id: int | None) -> None:
    """Delete the stored upload of a job that kept it (a failure other than the file's, or a
    killed worker): MEDIA_ROOT/imports/<job.params.path>."""
    if job_id is None:
        return
    setup_django(env)
    from annotation.services.imports.jobs import import_dir
    from projects.models import Job

    params = Job.objects.filter(pk=job_id).values_list("params", flat=True).first() or {}
    if params.get("path"):
        (import_dir() / params["path"]).unlink(missing_ok=True)


def run_case(ctx: Context, client: httpx.Client, case: Case, tmp: Path, log_dir: Path,
             queue: str, stamp: int) -> dict[str, Any]:
    path = tmp / case.filename
    began = time.perf_counter()
    case.write(path)
    size_mb = path.stat().st_size / 1024**2
    print(f"[hostile] {case.name}: {size_mb:.1f} MB written in "
          f"{time.perf_counter() - began:.1f}s", flush=True)
    slug = case.filename.split(".")[0].replace("_", "-")
    name = f"hostile-{slug}"
    node = f"{name}@{socket.gethostname()}"
    project = _project(client, f"bench hostile {case.name} {stamp}")
    worker = start_capped_worker(ctx.env, log_dir, name, queue)
    outcome: dict[str, Any] = {"file_mb": round(size_mb, 1), "options": case.options}
    job: dict[str, Any] | None = None
    job_id = None
    timed_out = False
    try:
        child = wait_ready(worker, node)
        time.sleep(0.3)  # let the fresh child settle before its baseline
        baseline_kb = _status_kb(child)[0]
        with ChildSampler(worker.pid) as sampler:
            started = time.perf_counter()
            try:
                with path.open("rb") as f:
                    response = client.post(f"/api/v1/projects/{project}/imports/",
                                           timeout=300, data=case.options,
                                           files={"file": (case.filename, f)})
            except httpx.HTTPError as exc:  # the server dropped the upload
                response = httpx.Response(599, text=f"{type(exc).__name__}: {exc}")
            upload_s = time.perf_counter() - started
            if response.status_code != 202:
                job = {"status": f"HTTP {response.status_code}", "message":
                       response.text[:300]}
            else:
                job = response.json()
                job_id = job["id"]
                posted = time.perf_counter()
                while job["status"] in ("queued", "running"):
                    if time.perf_counter() - posted > MAX_SECONDS:
                        timed_out = True
                        break
                    time.sleep(0.2)
                    job = client.get(f"/api/v1/jobs/{job_id}/").json()
            job_s = time.perf_counter() - started - upload_s
        outcome.update({
            "status": "timeout" if timed_out else job["status"],
            "message": _summary(job) if job else "",
            "peak_rss_mb": round(sampler.peak_kb / 1024, 1),
            "baseline_rss_mb": round(baseline_kb / 1024, 1),
            "upload_s": round(upload_s, 2),
            "job_s": round(job_s, 2),
            "child_died": sorted(sampler.gone),
            "clear": _clear(job) and not timed_out,
        })
        if job and job.get("started_at") and job.get("finished_at"):
            outcome["worker_s"] = round((datetime.fromisoformat(job["finished_at"])
                                         - datetime.fromisoformat(job["started_at"])
                                         ).total_seconds(), 2)
    finally:
        if timed_out:
            kill_worker(worker)
            from config.celery_app import app

            app.control.purge()  # nothing of this case may reach the next worker
        else:
            worker.stop()
        path.unlink(missing_ok=True)
        _drop_upload(ctx.env, job_id)
    return outcome


def _verdict(o: dict[str, Any]) -> list[str]:
    problems = []
    if o["peak_rss_mb"] >= MAX_RSS_MB:
        problems.append(f"peak RSS {o['peak_rss_mb']:.0f} MB >= {MAX_RSS_MB:.0f}")
    if o["status"] == "timeout" or o["job_s"] > MAX_SECONDS:
        problems.append(f"not ended within {MAX_SECONDS:.0f}s")
    elif not o["clear"]:
        problems.append("no clear message")
    if o["child_died"]:
        problems.append("worker child died")
    return problems


def print_table(rows: list[tuple[Case, dict[str, Any]]]) -> None:
    header = (f"{'case':<26}{'file MB':>8}  {'status':<10}{'peak MB':>8}{'base MB':>8}"
              f"{'+MB':>7}{'upload s':>9}{'job s':>7}  verdict")
    rule = "-" * (len(header) + 10)
    lines = [rule, header, rule]
    for case, o in rows:
        verdict = "; ".join(_verdict(o)) or "PASS"
        lines.append(f"{case.name:<26}{o['file_mb']:>8.1f}  {o['status']:<10}"
                     f"{o['peak_rss_mb']:>8.1f}{o['baseline_rss_mb']:>8.1f}"
                     f"{o['peak_rss_mb'] - o['baseline_rss_mb']:>7.1f}{o['upload_s']:>9.1f}"
                     f"{o['job_s']:>7.1f}  {verdict}")
        lines.append(f"{'':<4}message: {o['message'][:150]}")
    lines += [rule, f"peak MB: the worker child's peak RSS (VmHWM/VmRSS every "
              f"{SAMPLE_SECONDS * 1000:.0f} ms), base MB: the fresh child's before the upload; "
              f"limits {MAX_RSS_MB:.0f} MB and {MAX_SECONDS:.0f} s from the POST's answer; "
              f"worker address space capped at {AS_LIMIT_MB} MB"]
    print("\n".join(lines), flush=True)


@scenario("hostile", "Hostile import files (100k-deep nesting, a 200 MB line, 1M columns, "
                     "1M meta keys, 100k labels) through the API, each in a fresh capped "
                     "worker: the child's peak RSS < 500 MB, a clear end within 60 s.")
def run(ctx: Context) -> ScenarioResult:
    setup_django(ctx.env)
    from django.conf import settings

    from config.celery_app import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    # The run's own worker (uncapped, reused between tasks) stops taking imports: each case
    # gets a worker of its own.
    others = [name for reply in app.control.ping(timeout=1.0) for name in reply]
    if others:
        app.control.cancel_consumer(queue, destination=others, reply=True, timeout=2.0)
    wanted = {w.strip() for w in os.environ.get("BENCH_HOSTILE_CASES", "").split(",")
              if w.strip()}
    cases = [c for c in CASES if not wanted or c.filename.split(".")[0] in wanted]
    token = fetch_token(ctx.base_url, ctx.username, ctx.password)
    client = api_client(ctx.base_url, token)
    stamp = int(time.time())
    log_dir = ROOT / "bench" / "results" / "logs" / f"hostile-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    rows: list[tuple[Case, dict[str, Any]]] = []
    failures: list[str] = []
    timings: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="concord-hostile-") as tmp:
            for case in cases:
                try:
                    outcome = run_case(ctx, client, case, Path(tmp), log_dir, queue, stamp)
                except Exception as exc:  # the case could not run: say so, go on
                    failures.append(f"{case.name}: did not run: {type(exc).__name__}: {exc}")
                    continue
                rows.append((case, outcome))
                timings[f"{case.name} (upload + job)"] = outcome["upload_s"] + outcome["job_s"]
                failures += [f"{case.name}: {p}" for p in _verdict(outcome)]
                print(f"[hostile] {case.name}: {outcome['status']}, peak "
                      f"{outcome['peak_rss_mb']:.0f} MB, {outcome['job_s']:.1f}s", flush=True)
    finally:
        if others:
            app.control.add_consumer(queue, destination=others, reply=True, timeout=2.0)
    print_table(rows)
    print(f"worker logs: {log_dir.relative_to(ROOT)}")
    extra: dict[str, object] = {c.name: o for c, o in rows}
    extra["limits"] = {"peak_rss_mb": MAX_RSS_MB, "seconds": MAX_SECONDS,
                       "address_space_mb": AS_LIMIT_MB}
    return ScenarioResult(timings=timings, failures=failures, extra=extra)
