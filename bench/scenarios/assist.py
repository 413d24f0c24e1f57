"""`assist`: models in the loop (issue 17). The learning curve of the entity and sentiment
agents with the annotation effort their suggestions save; training time on one core and a
training worker's memory; the suggestion precompute's throughput on the seeded project; and
`next` with suggestions beside `next` without, 8 paced annotators.

Parts (`BENCH_ASSIST_PARTS=curve,effort,train,memory,precompute,next`, default all;
`BENCH_ASSIST_QUICK=1` for small sizes). curve/effort/train/memory need no server and also
run alone: `python -m bench.scenarios.assist --parts curve,effort,train,memory [--quick]`."""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench.env import ROOT
from bench.load import LoadResult
from bench.scenarios import Context, ScenarioResult, scenario
from bench.scenarios.assist_models import (
    CURVE_SIZES,
    HELDOUT,
    MIN_SCORE,
    QUICK_SIZES,
    QUICK_TRAIN_SIZES,
    TRAIN_SIZES,
    curve_lines,
    learning_curve,
    one_cpu,
    train_child,
)
from bench.scenarios.assist_server import (
    log,
    next_load,
    next_without,
    precompute,
    stats_of,
)

PARTS = ("curve", "effort", "train", "memory", "precompute", "next")
OFFLINE = ("curve", "effort", "train", "memory")
TARGETS = {"effort fewer edits at 1000": (0.40, ">="), "train 1000 CPU s": (10.0, "<"),
           "train 10000 CPU s": (60.0, "<"), "train 10000 MB": (500.0, "<"),
           "precompute docs/s": (1000.0, ">="), "next p99 ms (suggestions)": (30.0, "<")}


def wanted(text: str | None) -> list[str]:
    names = [p.strip() for p in (text or "").split(",") if p.strip()] or list(PARTS)
    unknown = [p for p in names if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown assist parts {unknown}; choose from {', '.join(PARTS)}")
    return names


# --------------------------------------------------------------------------- offline parts


def offline(parts: list[str], quick: bool, seed: int, langs: tuple[str, ...] = ("en", "zh")
            ) -> tuple[dict[str, Any], list[str]]:
    """The learning curve with effort, and training time and memory in fresh processes."""
    out: dict[str, Any] = {}
    lines: list[str] = []
    if "curve" in parts or "effort" in parts:
        sizes, held = (QUICK_SIZES, 200) if quick else (CURVE_SIZES, HELDOUT)
        started = time.perf_counter()
        out["curve"] = learning_curve(sizes, held, seed, log, langs)
        out["curve_seconds"] = round(time.perf_counter() - started, 1)
        lines += [f"learning curve ({held} held-out documents per language, names never seen "
                  f"in training; edits per document to reach the gold, suggestions >= "
                  f"{MIN_SCORE}):", *curve_lines(out["curve"])]
    if "train" in parts or "memory" in parts:
        sizes = QUICK_TRAIN_SIZES if quick else TRAIN_SIZES
        cpu = one_cpu()
        out["train"] = {}
        for n in sizes:
            log(f"training every agent on {n} documents in a child pinned to CPU {cpu}")
            out["train"][str(n)] = child = train_child(n, seed, cpu)
            log(f"train {n}: {json.dumps(child)}")
            per = ", ".join(f"{name} {a['seconds']:.1f}s" for name, a in child["agents"].items())
            lines.append(f"train {n:>6} docs on CPU {cpu}: {child['total_seconds']:.1f}s "
                         f"({per}); peak RSS {child['peak_rss_mb']:.0f} MB (libraries "
                         f"{child['libraries_mb']:.0f} MB, +corpus {child['with_corpus_mb']:.0f}"
                         f" MB)")
    return out, lines


def targets(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The figures against issue 17's targets (PASS/FAIL is printed, not a run failure)."""
    values: dict[str, float] = {}
    curve = facts.get("curve", {})
    for lang, points in curve.items():
        if "1000" in points:
            values[f"effort fewer edits at 1000 ({lang})"] = points["1000"]["effort"][
                "fewer_edits"]
    for n, child in facts.get("train", {}).items():  # CPU seconds: wall ones read the load
        values[f"train {n} CPU s"] = child["cpu_seconds"]
        for name, agent in child["agents"].items():
            values[f"train {n} CPU s ({name})"] = agent["cpu_seconds"]
        values[f"train {n} MB"] = child["peak_rss_mb"]
    if "precompute" in facts:
        values["precompute docs/s"] = facts["precompute"]["documents_per_s"]
    if "next" in facts and "with" in facts["next"]:
        values["next p99 ms (suggestions)"] = facts["next"]["with"]["p99_ms"]
        if "without" in facts["next"]:
            values["next p99 ms (without)"] = facts["next"]["without"]["p99_ms"]
    out = {}
    for name, value in values.items():
        base = name.split(" (")[0] if " (" in name and "next" not in name else name
        if name == "next p99 ms (without)":
            base = "next p99 ms (suggestions)"
        target = TARGETS.get(base)
        if target is None:
            continue
        limit, op = target
        ok = value >= limit if op == ">=" else value < limit
        out[name] = {"value": value, "target": f"{op} {limit:g}", "pass": ok}
    return out


def target_lines(found: dict[str, dict[str, Any]]) -> list[str]:
    return ["targets:", *(f"  {name:<34}{t['value']:>10.3f}   {t['target']:<9} "
                          f"{'PASS' if t['pass'] else 'FAIL'}" for name, t in found.items())]


# --------------------------------------------------------------------------- precompute


def load_lines(title: str, load: LoadResult) -> list[str]:
    head = f"{'':<24}{'reqs':>7}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}" \
           f"{'avg KB':>8}{'srv p50':>8}{'srv p99':>8}"
    rows = [f"{s.name:<24}{s.requests:>7}{s.errors:>7}{s.p50_ms:>8.1f}{s.p95_ms:>8.1f}"
            f"{s.p99_ms:>8.1f}{s.avg_kb:>8.1f}{s.server_p50_ms or 0:>8.1f}"
            f"{s.server_p99_ms or 0:>8.1f}" for s in load.endpoints[:2]]
    return [f"{title} ({load.seconds:.0f}s measured):", head, *rows]


# --------------------------------------------------------------------------- the scenario


@scenario("assist", "Models in the loop: learning curve and effort saved (English, Chinese), "
                    "training time on one core and memory, the suggestion precompute's "
                    "throughput, and next with suggestions beside next without.")
def run(ctx: Context) -> ScenarioResult:
    parts = wanted(os.environ.get("BENCH_ASSIST_PARTS"))
    quick = os.environ.get("BENCH_ASSIST_QUICK", "") not in ("", "0")
    seed = 1
    facts, lines = offline(parts, quick, seed)
    facts["parts"], facts["quick"] = parts, quick
    failures: list[str] = []
    timings: dict[str, float] = {}
    load = None
    if "precompute" in parts or ("next" in parts and not _has_suggestions(ctx)):
        facts["precompute"] = pre = precompute(ctx, seed)
        timings["suggestions precompute"] = pre["tally"]["seconds"]
        lines.append(f"precompute: {pre['tally']['documents']} open documents in "
                     f"{pre['tally']['seconds']:.1f}s = {pre['documents_per_s']:.0f} docs/s "
                     f"({pre['tally']['suggestions']} suggestions, {pre['suggestions_shown']}"
                     f" >= min score; CPU {pre['tally']['cpu_seconds']:.1f}s; peak RSS "
                     f"{pre['tally']['peak_rss_mb']:.0f} MB); predict alone, ms/doc: "
                     + ", ".join(f"{k} {v:.2f}" for k, v in pre["predict_ms_per_doc"].items()))
    if "next" in parts:
        without, facts_without = next_without(ctx)
        facts["next"] = {"without": facts_without}
        lines += load_lines(f"next without suggestions ({facts_without['how']})", without)
        failures += [f"without suggestions: {s.name}: {s.errors} of {s.requests} failed"
                     for s in without.endpoints if s.error_rate > 0.01]
        load, seen = next_load(ctx, top_up_first=True)
        facts["next"]["with"] = stats_of(load.endpoints[0], seen)
        lines += load_lines("next with suggestions", load)
        if not seen["next_with_suggestions"]:
            failures.append("no next answer carried suggestions")
    found = targets(facts)
    facts["targets"] = found
    lines += target_lines(found)
    print("\n".join(lines), flush=True)
    for n, child in facts.get("train", {}).items():
        timings[f"train all agents, {n} documents"] = child["total_seconds"]
    return ScenarioResult(load=load, timings=timings, failures=failures,
                          extra={**facts, "summary": lines})


def _has_suggestions(ctx: Context) -> bool:
    from annotation.models import Suggestion

    return Suggestion.objects.filter(project_id=ctx.project_id).exists()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scenarios.assist",
                                     description="The assist bench's parts without a server.")
    parser.add_argument("--parts", default=",".join(OFFLINE))
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--langs", default="en,zh", help="the curve's languages")
    args = parser.parse_args(argv)
    parts = wanted(args.parts)
    if set(parts) - set(OFFLINE):
        parser.error(f"{sorted(set(parts) - set(OFFLINE))} need the server: "
                     "python -m bench --scenario assist")
    started = datetime.now(UTC)
    facts, lines = offline(parts, args.quick, args.seed, tuple(args.langs.split(",")))
    facts["targets"] = found = targets(facts)
    lines += target_lines(found)
    print("\n".join(lines))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"assist-offline-{'-'.join(parts)}-{args.langs.replace(',', '-')}-" \
        f"{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"scenario": "assist", "parts": parts, "quick": args.quick,
                                "started": started.isoformat(), "cpus": os.cpu_count(),
                                **facts, "summary": lines}, indent=2, ensure_ascii=False))
    print(f"results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["statistics"]
