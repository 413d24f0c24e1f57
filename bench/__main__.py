"""Seed a bench database, start gunicorn and a Celery worker, run a scenario, report it."""

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import redis

from bench import db, report, seed
from bench.env import BenchEnv, manage
from bench.procs import Monitor, free_port, start_server, start_worker, wait_http, wait_worker
from bench.scenarios import Context, Scenario, discover


def parse_args(argv: list[str] | None, names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scenario", required=True, choices=names)
    parser.add_argument("--n", type=int, default=10_000, help="documents to seed")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    stop = parser.add_mutually_exclusive_group()
    stop.add_argument("--duration", type=float, help="measured seconds (default 30)")
    stop.add_argument("--requests", type=int, help="measured requests, over all clients")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds")
    parser.add_argument("--think", type=float, default=0.0,
                        help="workbench: mean seconds an annotator pauses between requests "
                             "(0: back to back, a saturation test)")
    parser.add_argument("--server-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--server-timeout", type=int, default=60,
                        help="gunicorn --timeout: seconds one request may take (Dockerfile: 60)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the corpus")
    parser.add_argument("--keep-db", action="store_true",
                        help="reuse the database if it holds this N and seed; keep it after")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL",
                                               "postgres://root@127.0.0.1:5432/concord_bench"),
                        help="created and dropped by the bench (default: $BENCH_DATABASE_URL "
                             "or concord_bench)")
    parser.add_argument("--redis-url",
                        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
                        help="a Redis database the bench may flush (default: $BENCH_REDIS_URL "
                             "or 15)")
    args = parser.parse_args(argv)
    if args.duration is None and args.requests is None:
        args.duration = 30.0
    return args


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextmanager
def app_running(env: BenchEnv, workers: int, log_dir: Path, timeout: int = 60
                ) -> Iterator[tuple[str, Monitor]]:
    """gunicorn and a Celery worker, ready and sampled; stopped on the way out."""
    port = free_port()
    server = start_server(env, port, log_dir, workers, timeout)
    worker = start_worker(env, log_dir)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_http(server, f"{base_url}/healthz")
        wait_worker(worker)
        log(f"server {base_url} (pid {server.pid}), worker pid {worker.pid}, logs in {log_dir}")
        with Monitor({"server": server.pid, "worker": worker.pid}) as monitor:
            yield base_url, monitor
    finally:
        worker.stop()
        server.stop()


def run(args: argparse.Namespace, chosen: Scenario) -> report.Report:
    env = BenchEnv.create(args.database_url, args.redis_url)
    log(f"preparing {db.database_name(args.database_url)} with {args.n} documents")
    info = seed.prepare(env, args.n, args.seed, args.keep_db, gold=chosen.gold)
    log(f"database ready in {info.seconds:.1f}s ({'reused' if info.reused else info.rows})")
    redis.Redis.from_url(args.redis_url).flushdb()
    manage(env, "collectstatic", "--noinput")
    settings = {"concurrency": args.concurrency, "duration": args.duration,
                "requests": args.requests, "warmup": args.warmup,
                "server_workers": args.server_workers, "server_timeout": args.server_timeout}
    started = datetime.now(UTC)
    log_dir = report.RESULTS / "logs" / f"{chosen.name}-{args.n}-{started:%Y%m%dT%H%M%SZ}"
    try:
        with app_running(env, args.server_workers, log_dir,
                         args.server_timeout) as (base_url, monitor):
            ctx = Context(base_url, env, info, args.concurrency, args.warmup, args.duration,
                          args.requests, monitor.cpu, monitor, args.think)
            log(f"running {chosen.name}")
            result = chosen.run(ctx)
    finally:
        if not args.keep_db:
            db.drop(args.database_url)
    return report.Report(chosen.name, chosen.description, args.n, settings, info, result,
                         monitor.peaks, started)


def main(argv: list[str] | None = None) -> int:
    scenarios = discover()
    args = parse_args(argv, sorted(scenarios))
    began = time.perf_counter()
    outcome = run(args, scenarios[args.scenario])
    print(report.table(outcome))
    path = report.write_json(outcome)
    print(f"results: {path.relative_to(report.ROOT)} (total {time.perf_counter() - began:.0f}s)")
    return 1 if outcome.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
