"""The `assist` scenario's parts on the seeded server: agents installed from gold, the
suggestion precompute timed, and `next` with and without suggestions under paced load."""

import json
import subprocess
import sys
import time
from typing import Any

from bench.env import ROOT
from bench.load import LoadResult, Stats, api_client
from bench.scenarios import Context
from bench.scenarios.workbench_load import NEXT, Annotator, run_annotators, with_database

GOLD_DOCS = 1000  # the gold the precompute's models are trained on
PACED_THINK = 0.5  # the workbench's paced run (bench/README.md) when --think is 0


def log(message: str) -> None:
    print(f"[assist] {message}", file=sys.stderr, flush=True)


def project_gold(n: int, seed: int) -> list[Any]:
    """Gold like the seeded project's documents (bench/textgen.py's sentences, about 400
    characters, 55% English) with every mention labelled and the seed's relations."""
    import random

    from annotation.pure.assist.base import GoldDoc
    from bench.textgen import SENTIMENTS, TARGET_CHARS, relations_between, sentence_pool

    rng = random.Random(seed + 500)
    pools = {lang: sentence_pool(lang, seed + 500) for lang in ("en", "zh")}
    docs = []
    for _ in range(n):
        lang = "zh" if rng.random() < 0.45 else "en"
        sep = " " if lang == "en" else ""
        text, entities = "", []
        while len(text) < TARGET_CHARS - 25:
            sentence = rng.choice(pools[lang])
            text += sep if text else ""
            entities += [(len(text) + s, len(text) + e, k) for s, e, k in sentence.entities]
            text += sentence.text
        entities.sort()
        docs.append(GoldDoc(text=text, entities=tuple(entities),
                            relations=tuple(relations_between(entities)),
                            sentiment=(rng.choices(SENTIMENTS, weights=(3, 5, 2))[0],)))
    return docs


def install_agents(project_id: int, seed: int, n: int) -> dict[str, Any]:
    """Train the project's built-in agents on `n` gold documents with the job's `train` (and
    its options), store each model with `artifact_write` as a new version and switch it on,
    as a passing training run does."""
    from django.db.models import Max

    from annotation.models import Agent, AgentVersion
    from annotation.pure.assist.artifact import training_sha256
    from annotation.selectors.agents import built_in_for
    from annotation.services.agents.artifacts import artifact_write
    from annotation.services.agents.registry import agent_ensure
    from annotation.services.agents.training import _options, model_module
    from projects.models import Project

    project = Project.objects.get(pk=project_id)
    docs = project_gold(n, seed)
    digest = training_sha256(docs)
    out: dict[str, Any] = {}
    for name in built_in_for(project):
        started = time.perf_counter()
        trained = model_module(name).train(docs, folds=5, seed=project.pk,
                                           **_options(project, name))
        seconds = time.perf_counter() - started
        agent = agent_ensure(project=project, name=name)
        number = (agent.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        stored, sha = artifact_write(project_id=project.pk, agent=name, number=number,
                                     model=trained.model)
        version = AgentVersion.objects.create(
            agent=agent, number=number, trained_on=trained.trained_on,
            training_seconds=seconds, training_sha256=digest, metrics=trained.metrics,
            passed=True, artifact=stored, artifact_sha256=sha)
        Agent.objects.filter(pk=agent.pk).update(version=version, active=True, message="")
        out[name] = {"seconds": round(seconds, 2), "cv_f1": round(trained.metrics["f1"], 4),
                     "version": number}
    return out


PRECOMPUTE = """
import json, resource, time
from annotation.services.agents.suggesting import suggestions_precompute
started = time.perf_counter()
cpu = time.process_time()
tally = suggestions_precompute(project_id={project_id})
tally["seconds"] = time.perf_counter() - started
tally["cpu_seconds"] = time.process_time() - cpu
tally["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("ASSIST " + json.dumps(tally))
"""


def precompute(ctx: Context, seed: int) -> dict[str, Any]:
    """`suggestions_precompute` as the worker runs it, in a fresh `manage.py shell` with the
    bench's environment; then each agent's `predict` alone on 2,000 open texts."""
    from annotation.models import Suggestion
    from annotation.selectors.agents import open_documents
    from projects.models import Project

    project = Project.objects.get(pk=ctx.project_id)
    opened = project.documents.filter(status="new").count()
    log(f"training the agents on {GOLD_DOCS} gold documents")
    agents = install_agents(ctx.project_id, seed, GOLD_DOCS)
    log(f"precomputing suggestions for {opened} open documents")
    cmd = [sys.executable, str(ROOT / "manage.py"), "shell", "-c",
           PRECOMPUTE.format(project_id=ctx.project_id)]
    done = subprocess.run(cmd, cwd=ROOT, env=ctx.env.full(), capture_output=True, text=True,
                          check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("ASSIST ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"precompute failed: {done.stdout[-1000:]}{done.stderr[-2000:]}")
    tally = json.loads(line[len("ASSIST "):])
    stored = Suggestion.objects.filter(project_id=ctx.project_id).count()
    shown = Suggestion.objects.filter(project_id=ctx.project_id,
                                      score__gte=project.suggestion_min_score).count()
    texts = [text for _pk, text in open_documents(project=project, after=0, limit=2000)]
    return {"open_documents": opened, "agents": agents, "tally": tally,
            "documents_per_s": round(tally["documents"] / tally["seconds"], 1),
            "suggestions_stored": stored, "suggestions_shown": shown,
            "predict_ms_per_doc": predict_breakdown(project, texts)}


def predict_breakdown(project: Any, texts: list[str]) -> dict[str, float]:
    """Each switched-on agent's `predict` alone (ms per document), in this process."""
    from annotation.models import Agent
    from annotation.pure.assist.base import GoldDoc
    from annotation.services.agents.artifacts import artifact_read
    from annotation.services.agents.training import model_module

    out = {}
    docs = [GoldDoc(text=text) for text in texts]
    for agent in Agent.objects.filter(project=project, active=True,
                                      version__isnull=False).select_related("version"):
        assert agent.version is not None
        model, module = artifact_read(version=agent.version), model_module(agent.kind)
        inputs = docs
        if agent.kind == "relation":  # as the precompute: the entity agents' spans
            crf = Agent.objects.select_related("version").get(project=project, name="crf")
            assert crf.version is not None
            found = model_module("crf").predict(artifact_read(version=crf.version), docs)
            inputs = [GoldDoc(text=d.text, entities=tuple(sorted(
                (p.start, p.end, p.label) for p in f.proposals)))
                for d, f in zip(docs, found, strict=True)]
        started = time.perf_counter()
        module.predict(model, inputs)
        out[agent.name] = round((time.perf_counter() - started) * 1000 / max(len(docs), 1), 3)
    return out


# --------------------------------------------------------------------------- next


class Watching(Annotator):
    """An annotator that also counts the `next` answers that carried suggestions."""

    shown = 0
    bare = 0

    def _call(self, endpoint: int, method: str, url: str, **kwargs: Any) -> Any:
        sample, response = super()._call(endpoint, method, url, **kwargs)
        if endpoint == NEXT and response is not None and response.status_code == 200:
            if response.json().get("predictions"):
                self.shown += 1
            else:
                self.bare += 1
        return sample, response


def top_up(project_id: int) -> int:
    """Suggestions for the open documents that have none: those an earlier run's annotators
    had completed when the precompute ran, reopened since by the workbench's reset. The
    precompute's own batches (`suggesting._batch`), in this process; not timed."""
    from django.db.models import Exists, OuterRef

    from annotation.models import Document, Suggestion
    from annotation.services.agents import suggesting
    from projects.models import Label, Project

    project = Project.objects.get(pk=project_id)
    loaded = suggesting._load(project, suggesting.Tally())
    labels = {(kind, name): pk for pk, kind, name in
              Label.objects.filter(project=project).values_list("pk", "kind", "name")}
    has = Suggestion.objects.filter(document=OuterRef("pk"))
    missing = list(Document.objects.filter(project=project, status="new")
                   .exclude(Exists(has)).order_by("pk").values_list("pk", "text"))
    for i in range(0, len(missing), suggesting.BATCH):
        suggesting._batch(project, loaded, labels, missing[i:i + suggesting.BATCH])
    return len(missing)


def settle() -> None:
    """VACUUM (ANALYZE) the tables the precompute and the workbench's reset churned (a
    precompute replaces about 2 million suggestion rows), so that autovacuum does not run
    during the load, as the dashboards scenario does: the figure is `next` itself."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("annotation_suggestion", "annotation_document", "annotation_annotation",
                      "annotation_assignment"):
            cur.execute(f"VACUUM (ANALYZE) {table}")


def next_load(ctx: Context, top_up_first: bool = False) -> tuple[LoadResult, dict[str, int]]:
    """The workbench bench's annotators (its setup, its loop), paced, on settled tables."""
    from bench.scenarios.workbench import prepare

    setup = prepare(ctx)
    if top_up_first:
        log(f"topped up {top_up(ctx.project_id)} reopened documents without suggestions")
    started = time.perf_counter()
    settle()
    log(f"vacuumed and analysed in {time.perf_counter() - started:.1f}s")
    think = ctx.think or PACED_THINK

    def make(i: int) -> Annotator:
        return Watching(api_client(ctx.base_url, setup.tokens[i]), ctx.project_id, seed=i,
                        think=think)

    load, users = run_annotators(make, ctx.concurrency, ctx.warmup, ctx.duration,
                                 ctx.requests, with_database(ctx.cpu))
    seen = {"next_with_suggestions": sum(u.shown for u in users),  # type: ignore[attr-defined]
            "next_without": sum(u.bare for u in users)}  # type: ignore[attr-defined]
    return load, seen


def stats_of(row: Stats, seen: dict[str, int]) -> dict[str, Any]:
    return {**row.as_dict(), **seen}


def next_without(ctx: Context) -> tuple[LoadResult, dict[str, Any]]:
    """The same run with no suggestion shown: before any precompute, or with the agents
    switched off for the run (their rows stay; switched back on after)."""
    from annotation.models import Agent, Suggestion

    # The trained agents (a run stopped midway may have left them off: on again after).
    agents = Agent.objects.filter(project_id=ctx.project_id, version__isnull=False)
    ids = list(agents.values_list("pk", flat=True))
    how = "agents switched off" if Suggestion.objects.filter(
        project_id=ctx.project_id).exists() else "no suggestions stored"
    Agent.objects.filter(pk__in=ids).update(active=False)
    try:
        load, seen = next_load(ctx)
    finally:
        Agent.objects.filter(pk__in=ids).update(active=True)
    return load, {**stats_of(load.endpoints[0], seen), "how": how}
