"""The `assist` bench's model parts, no server: the learning curve with the annotation
effort at each point, and training time and memory in a fresh process pinned to one core.

Run as a module, it is that child process: `python -m bench.scenarios.assist_models
--train N` generates N mixed documents, trains every agent through the job's `train`
functions and prints one JSON line (seconds per agent, peak RSS)."""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from annotation.pure.assist.base import ENTITY, SENTIMENT, GoldDoc, Predicted, prf
from bench.env import ROOT
from bench.scenarios.assist_corpus import documents

CURVE_SIZES = (50, 200, 1000, 5000)
QUICK_SIZES = (50, 200)
HELDOUT = 1000  # held-out documents per language
TRAIN_SIZES = (1000, 10_000)
QUICK_TRAIN_SIZES = (200, 1000)
AGENTS = ("dictionary", "crf", "sentiment", "relation")  # the job's order (MODULES)
ENTITY_AGENTS = ("dictionary", "crf")
MIN_SCORE = 0.3  # projects.models.Project.suggestion_min_score's default
FOLDS = 5
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

Span = tuple[int, int, str]


def module(name: str) -> Any:
    import importlib

    return importlib.import_module(f"annotation.pure.assist.{name}")


# --------------------------------------------------------------------------- suggestions


def shown_entities(per_agent: Sequence[Predicted], min_score: float = MIN_SCORE) -> list[Span]:
    """The entity suggestions an annotator sees: every entity agent's proposals scoring at
    least `min_score`, the same (start, end, label) once, and of overlapping spans only the
    higher scored (ties: the longer, then the earlier)."""
    best: dict[Span, float] = {}
    for predicted in per_agent:
        for p in predicted.proposals:
            if p.kind == ENTITY and p.score >= min_score and p.start is not None \
                    and p.end is not None:
                key = (p.start, p.end, p.label)
                best[key] = max(best.get(key, 0.0), p.score)
    order = sorted(best.items(), key=lambda kv: (-kv[1], kv[0][0] - kv[0][1], kv[0][0]))
    kept: list[Span] = []
    for (start, end, label), _score in order:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, label))
    return sorted(kept)


def shown_sentiment(predicted: Predicted | None, min_score: float = MIN_SCORE) -> str | None:
    if predicted is None:
        return None
    labels = [p for p in predicted.proposals if p.kind == SENTIMENT and p.score >= min_score]
    return max(labels, key=lambda p: p.score).label if labels else None


def edits(gold: GoldDoc, entities: Sequence[Span], sentiment: str | None) -> dict[str, int]:
    """The edits from a starting point (`entities`, `sentiment`) to the gold:
    - a start span with the same offsets as a gold span: nothing if the label is the gold's,
      else 1 relabel;
    - any other start span (wrong or partly wrong boundaries, or no gold there): 1 removal;
    - a gold span with no start span of the same offsets: 1 addition;
    - sentiment: 1 change unless the start's label is the gold's (from nothing: 1 choice)."""
    by_offsets = {(s, e): label for s, e, label in entities}
    gold_offsets = {(s, e): label for s, e, label in gold.entities}
    relabel = sum(1 for key, label in gold_offsets.items()
                  if key in by_offsets and by_offsets[key] != label)
    removed = sum(1 for key in by_offsets if key not in gold_offsets)
    added = sum(1 for key in gold_offsets if key not in by_offsets)
    truth = gold.sentiment[0] if gold.sentiment else None
    changed = int(truth is not None and sentiment != truth)
    return {"added": added, "removed": removed, "relabelled": relabel, "sentiment": changed,
            "total": added + removed + relabel + changed}


def span_f1(golds: Sequence[GoldDoc], found: Sequence[Sequence[Span]]) -> dict[str, float]:
    tp = fp = fn = 0
    for gold, spans in zip(golds, found, strict=True):
        g, f = set(gold.entities), set(spans)
        tp, fp, fn = tp + len(g & f), fp + len(f - g), fn + len(g - f)
    p, r, f1 = prf(tp, fp, fn)
    return {"f1": round(f1, 4), "precision": round(p, 4), "recall": round(r, 4)}


def macro_f1(gold: Sequence[str], guess: Sequence[str | None]) -> float:
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, guess, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, guess, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, guess, strict=True) if g == label and p != label)
        scores.append(prf(tp, fp, fn)[2])
    return round(sum(scores) / len(scores), 4) if scores else 0.0


# --------------------------------------------------------------------------- the curve


def curve_point(train: Sequence[GoldDoc], held: Sequence[GoldDoc], seed: int
                ) -> dict[str, Any]:
    """Train dictionary, crf and sentiment on `train` (the job's `train`, 5 folds), predict
    the held-out texts, score them, and count the edits from suggestions and from nothing."""
    texts = [GoldDoc(text=doc.text) for doc in held]
    out: dict[str, Any] = {"trained_on": len(train), "agents": {}}
    predicted: dict[str, list[Predicted]] = {}
    for name in (*ENTITY_AGENTS, "sentiment"):
        started = time.perf_counter()
        trained = module(name).train(list(train), folds=FOLDS, seed=seed)
        seconds = time.perf_counter() - started
        row: dict[str, Any] = {"train_seconds": round(seconds, 2),
                               "cv_f1": round(trained.metrics.get("f1", 0.0), 4)}
        if trained.model is None:
            row["refused"] = trained.reason
            out["agents"][name] = row
            continue
        started = time.perf_counter()
        predicted[name] = module(name).predict(trained.model, texts)
        row["predict_ms_per_doc"] = round((time.perf_counter() - started) * 1000 / len(held), 3)
        if name == "sentiment":
            guess = [shown_sentiment(p, 0.0) for p in predicted[name]]
            row["macro_f1"] = macro_f1([doc.sentiment[0] for doc in held], guess)
            row["cv_macro_f1"] = round(trained.metrics.get("macro_f1", 0.0), 4)
        else:
            spans = [[(p.start, p.end, p.label) for p in found.proposals
                      if p.start is not None and p.end is not None]
                     for found in predicted[name]]
            row.update(span_f1(held, spans))  # type: ignore[arg-type]
        out["agents"][name] = row
    union, from_suggestions, from_nothing = [], [], []
    for i, doc in enumerate(held):
        entities = shown_entities([predicted[n][i] for n in ENTITY_AGENTS if n in predicted])
        sentiment = shown_sentiment(predicted["sentiment"][i]) if "sentiment" in predicted \
            else None
        union.append(entities)
        from_suggestions.append(edits(doc, entities, sentiment))
        from_nothing.append(edits(doc, [], None))
    out["shown"] = span_f1(held, union)
    out["effort"] = effort_summary(from_suggestions, from_nothing)
    return out


def effort_summary(with_: list[dict[str, int]], without: list[dict[str, int]]
                   ) -> dict[str, Any]:
    n = max(len(with_), 1)
    mean = {key: round(sum(e[key] for e in with_) / n, 3) for key in with_[0]}
    base = round(sum(e["total"] for e in without) / n, 3)
    saved = 1 - mean["total"] / base if base else 0.0
    return {"edits_per_doc_suggested": mean["total"], "edits_per_doc_from_nothing": base,
            "fewer_edits": round(saved, 4), "suggested_breakdown": mean}


def learning_curve(sizes: Sequence[int], heldout: int, seed: int, log: Any = print,
                   langs: Sequence[str] = ("en", "zh")) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for lang in langs:
        train = documents(lang, "train", max(sizes), seed)
        held = documents(lang, "heldout", heldout, seed + 1)
        result[lang] = {}
        for n in sizes:
            started = time.perf_counter()
            result[lang][str(n)] = curve_point(train[:n], held, seed)
            log(f"curve {lang} n={n}: {time.perf_counter() - started:.1f}s "
                f"{json.dumps(result[lang][str(n)]['effort'])}")
    return result


def curve_lines(curve: dict[str, Any]) -> list[str]:
    lines = [f"{'lang':<5}{'gold':>6}{'dict F1':>9}{'crf F1':>8}{'shown F1':>9}"
             f"{'sent mF1':>9}{'edits sugg':>11}{'edits none':>11}{'fewer':>8}"
             f"{'crf train s':>12}"]
    for lang, points in curve.items():
        for n, point in points.items():
            agents, effort = point["agents"], point["effort"]
            lines.append(
                f"{lang:<5}{n:>6}{agents['dictionary'].get('f1', 0):>9.3f}"
                f"{agents['crf'].get('f1', 0):>8.3f}{point['shown']['f1']:>9.3f}"
                f"{agents['sentiment'].get('macro_f1', 0):>9.3f}"
                f"{effort['edits_per_doc_suggested']:>11.2f}"
                f"{effort['edits_per_doc_from_nothing']:>11.2f}"
                f"{effort['fewer_edits']:>8.1%}{agents['crf']['train_seconds']:>12.1f}")
    return lines


# --------------------------------------------------------------------------- training time


def one_cpu() -> int:
    """The CPU a pinned child runs on: the last one this process may use."""
    return max(os.sched_getaffinity(0))


def train_child(n: int, seed: int, cpu: int | None, timeout: float = 1800) -> dict[str, Any]:
    """Train every agent on `n` mixed documents in a fresh process on one CPU (affinity and
    BLAS/OpenMP threads 1); its own report."""
    env = {**os.environ, **dict.fromkeys(THREAD_VARS, "1")}
    cmd = [sys.executable, "-m", "bench.scenarios.assist_models", "--train", str(n),
           "--seed", str(seed)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"training child failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child(n: int, seed: int, cpu: int | None) -> dict[str, Any]:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    import numpy  # noqa: F401  the libraries' own memory, before the corpus
    import sklearn.linear_model  # noqa: F401
    import sklearn_crfsuite  # noqa: F401

    libraries_mb = _current_mb()
    docs = documents("mix", "train", n, seed)
    corpus_mb = _current_mb()
    agents: dict[str, Any] = {}
    cpu_started = time.process_time()
    for name in AGENTS:
        started, cpu_at = time.perf_counter(), time.process_time()
        trained = module(name).train(docs, folds=FOLDS, seed=seed)
        agents[name] = {"seconds": round(time.perf_counter() - started, 2),
                        "cpu_seconds": round(time.process_time() - cpu_at, 2),
                        "cv_f1": round(trained.metrics.get("f1", 0.0), 4),
                        "refused": trained.reason or None,
                        "peak_rss_mb_after": round(_rss_mb(), 1)}
    return {"n": n, "cpu": cpu, "affinity": sorted(os.sched_getaffinity(0)),
            "agents": agents, "total_seconds": round(sum(a["seconds"] for a in agents.values()), 2),
            "cpu_seconds": round(time.process_time() - cpu_started, 2),
            "libraries_mb": round(libraries_mb, 1), "with_corpus_mb": round(corpus_mb, 1),
            "peak_rss_mb": round(_rss_mb(), 1),
            "chars": sum(len(d.text) for d in docs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scenarios.assist_models")
    parser.add_argument("--train", type=int, required=True, help="documents to train on")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args(argv)
    print(json.dumps(_child(args.train, args.seed, args.cpu)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
