"""The printed table and the JSON file of a run."""

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.env import ROOT
from bench.load import Stats
from bench.procs import Peak
from bench.scenarios import ScenarioResult
from bench.seed import SeedInfo

RESULTS = ROOT / "bench" / "results"
MAX_ERROR_RATE = 0.01


@dataclass
class Report:
    scenario: str
    description: str
    n: int
    settings: dict[str, Any]
    seed: SeedInfo
    result: ScenarioResult
    memory: dict[str, Peak]
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def failures(self) -> list[str]:
        found = list(self.result.failures)
        if self.result.load:
            found += [f"{s.name}: {s.errors} of {s.requests} requests failed "
                      f"({s.error_rate:.1%}, limit {MAX_ERROR_RATE:.0%}); {s.error_samples}"
                      for s in self.result.load.endpoints if s.error_rate > MAX_ERROR_RATE]
            if not self.result.load.total.requests:
                found.append("no request was measured")
        return found


def _git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def _ms(value: float | None) -> str:
    return f"{value:>9.1f}" if value is not None else f"{'-':>9}"


def _row(s: Stats, server: bool = False) -> str:
    row = (f"{s.name:<26}{s.requests:>8}{s.errors:>8}{s.p50_ms:>9.1f}{s.p95_ms:>9.1f}"
           f"{s.p99_ms:>9.1f}{s.req_per_s:>9.1f}{s.avg_kb:>8.1f}")
    return row + (_ms(s.server_p50_ms) + _ms(s.server_p99_ms) if server else "")


def _cpu_line(used: dict[str, float], seconds: float, requests: int) -> str:
    cores = ", ".join(f"{name} {cpu / seconds:.2f}" for name, cpu in used.items())
    per_request = used.get("server", 0.0) / requests * 1000 if requests else 0.0
    return f"CPU cores busy: {cores} (server {per_request:.1f} ms CPU per request)"


def table(report: Report) -> str:
    seed = report.seed
    how = "reused" if seed.reused else "seeded"
    lines = [f"scenario {report.scenario}: N={report.n} documents ({how} in "
             f"{seed.seconds:.1f}s), " + ", ".join(f"{k}={v}" for k, v in
                                                   report.settings.items() if v is not None)]
    load = report.result.load
    if load:
        server = any(s.server_p50_ms is not None for s in load.endpoints)
        header = (f"{'endpoint':<26}{'reqs':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
                  f"{'p99 ms':>9}{'req/s':>9}{'avg KB':>8}"
                  + (f"{'srv p50':>9}{'srv p99':>9}" if server else ""))
        rule = "-" * len(header)
        lines += [rule, header, rule, *(_row(s, server) for s in load.endpoints), rule,
                  _row(load.total, server), rule,
                  f"measured {load.seconds:.1f}s after {load.warmup_seconds:.0f}s warm-up; "
                  "percentiles over 2xx responses"
                  + ("; srv: the app's own time (Server-Timing)" if server else "")]
        lines += [_cpu_line(load.cpu_seconds, load.seconds, load.total.requests)] \
            if load.cpu_seconds else []
    lines += [f"{name}: {seconds:.2f}s" for name, seconds in report.result.timings.items()]
    lines += [f"peak memory {name:<7} RSS {p.rss_mb:7.1f} MB  PSS {p.pss_mb:7.1f} MB  "
              f"({p.processes} processes)" for name, p in report.memory.items()]
    lines += [f"FAILED: {f}" for f in report.failures()]
    return "\n".join(lines)


def as_dict(report: Report) -> dict[str, Any]:
    load = report.result.load
    return {
        "scenario": report.scenario,
        "description": report.description,
        "n": report.n,
        "started": report.started.isoformat(),
        "commit": _git_commit(),
        "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                 "platform": platform.platform()},
        "settings": report.settings,
        "seed": {"reused": report.seed.reused, "seconds": round(report.seed.seconds, 2),
                 "rows": report.seed.rows},
        "load": None if load is None else {
            "seconds": load.seconds, "warmup_seconds": load.warmup_seconds,
            "concurrency": load.concurrency, "cpu_seconds": load.cpu_seconds,
            "endpoints": [s.as_dict() for s in load.endpoints], "total": load.total.as_dict(),
        },
        "timings": report.result.timings,
        "memory": {name: asdict(peak) for name, peak in report.memory.items()},
        "extra": report.result.extra,
        "failures": report.failures(),
        "ok": not report.failures(),
    }


def write_json(report: Report) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = report.started.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{report.scenario}-{report.n}-{stamp}.json"
    path.write_text(json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n")
    return path
