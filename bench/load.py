"""Loopback HTTP load: N client threads, each with its own connections, then percentiles."""

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

import httpx

TIMEOUT = httpx.Timeout(30.0)
Kind = Literal["api", "web", "htmx"]
# The app's own time, when the server sends it (CONCORD_SERVER_TIMING, config/timing.py).
TIMING = re.compile(r"(?:^|,)\s*(app|cpu|db);dur=([0-9.]+)")
QUERIES = re.compile(r'(?:^|,)\s*db;dur=[0-9.]+;desc="([0-9]+) queries"')


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    client: Kind = "api"  # "api": Authorization: Token; "web": a logged-in browser session
    follow_next: bool = False  # walk a paginated list through its `next` links, then restart


@dataclass
class Sample:
    endpoint: int
    seconds: float
    status: int  # 0: no response (timeout, refused connection)
    size: int
    error: str = ""
    server_ms: float | None = None  # the Server-Timing header's app;dur (wall time)
    server_cpu_ms: float | None = None  # its cpu;dur: the server process's CPU time
    server_db_ms: float | None = None  # its db;dur: time in SQL statements
    queries: int | None = None  # its db desc: SQL statements the request ran


@dataclass
class Stats:
    name: str
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    req_per_s: float
    avg_kb: float
    statuses: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    # Percentiles of the server's own time (Server-Timing), over the 2xx answers that had it.
    server_p50_ms: float | None = None
    server_p95_ms: float | None = None
    server_p99_ms: float | None = None
    server_max_ms: float | None = None
    server_cpu_p50_ms: float | None = None
    server_db_p50_ms: float | None = None
    queries_p50: float | None = None  # SQL statements per request (Server-Timing db)
    queries_max: int | None = None

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "error_rate": self.error_rate}


@dataclass
class LoadResult:
    endpoints: list[Stats]
    total: Stats
    seconds: float
    warmup_seconds: float
    concurrency: int
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per process tree, measured


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of sorted values, interpolated linearly between ranks."""
    if not ordered:
        return 0.0
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(name: str, samples: list[Sample], seconds: float) -> Stats:
    """Latency percentiles over the successful (2xx) requests; the rest count as errors."""
    ok = sorted(s.seconds * 1000 for s in samples if 200 <= s.status < 300)
    failed = [s for s in samples if not 200 <= s.status < 300]
    sizes = [s.size for s in samples]
    messages = [s.error or f"HTTP {s.status}" for s in failed]
    app = sorted(s.server_ms for s in samples
                 if 200 <= s.status < 300 and s.server_ms is not None)
    cpu = sorted(s.server_cpu_ms for s in samples
                 if 200 <= s.status < 300 and s.server_cpu_ms is not None)
    db = sorted(s.server_db_ms for s in samples
                if 200 <= s.status < 300 and s.server_db_ms is not None)
    queries = sorted(s.queries for s in samples if 200 <= s.status < 300 and s.queries is not None)
    return Stats(
        name=name, requests=len(samples), errors=len(failed),
        p50_ms=percentile(ok, 50), p95_ms=percentile(ok, 95), p99_ms=percentile(ok, 99),
        mean_ms=sum(ok) / len(ok) if ok else 0.0,
        req_per_s=len(samples) / seconds if seconds else 0.0,
        avg_kb=sum(sizes) / len(sizes) / 1024 if sizes else 0.0,
        statuses=dict(Counter(str(s.status) for s in samples)),
        error_samples=list(dict.fromkeys(messages))[:5],
        server_p50_ms=percentile(app, 50) if app else None,
        server_p95_ms=percentile(app, 95) if app else None,
        server_p99_ms=percentile(app, 99) if app else None,
        server_max_ms=app[-1] if app else None,
        server_cpu_p50_ms=percentile(cpu, 50) if cpu else None,
        server_db_p50_ms=percentile(db, 50) if db else None,
        queries_p50=percentile(queries, 50) if queries else None,
        queries_max=queries[-1] if queries else None,
    )


def server_timing(response: httpx.Response) -> dict[str, float]:
    """The app's entries of a Server-Timing header: {"app": ms, "cpu": ms, "db": ms,
    "queries": count}, those it sent."""
    header = response.headers.get("server-timing", "")
    found = {name: float(ms) for name, ms in TIMING.findall(header)}
    queries = QUERIES.search(header)
    if queries:
        found["queries"] = float(queries.group(1))
    return found


def fetch_token(base_url: str, username: str, password: str) -> str:
    response = httpx.post(f"{base_url}/api/v1/auth/token/", timeout=TIMEOUT,
                          json={"username": username, "password": password})
    response.raise_for_status()
    return str(response.json()["token"])


def api_client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=TIMEOUT,
                        headers={"Authorization": f"Token {token}"})


def web_client(base_url: str, username: str, password: str) -> httpx.Client:
    """A browser-like session: fetch the login form's CSRF cookie, post the form."""
    client = httpx.Client(base_url=base_url, timeout=TIMEOUT)
    client.get("/accounts/login/").raise_for_status()
    form = {"username": username, "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"]}
    response = client.post("/accounts/login/", data=form,
                           headers={"Referer": f"{base_url}/accounts/login/"})
    if response.status_code != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"login as {username} failed: HTTP {response.status_code}")
    return client


class Budget:
    """When the measured phase ends: after a duration, or after a number of requests."""

    def __init__(self, duration: float | None, requests: int | None) -> None:
        self.duration, self.left = duration, requests
        self.deadline = math.inf
        self._lock = threading.Lock()

    def start(self) -> None:
        if self.duration is not None:
            self.deadline = time.monotonic() + self.duration

    def take(self) -> bool:
        if time.monotonic() >= self.deadline:
            return False
        if self.left is None:
            return True
        with self._lock:
            self.left -= 1
            return self.left >= 0


class LoadClient:
    """One simulated user: its own connections, cycling through the endpoints."""

    def __init__(self, clients: dict[Kind, httpx.Client], endpoints: Sequence[Endpoint],
                 offset: int) -> None:
        self.clients, self.endpoints = clients, endpoints
        self.turn = offset
        self.next_url: dict[int, str] = {}
        self.samples: list[Sample] = []

    def request(self) -> Sample:
        index = self.turn % len(self.endpoints)
        self.turn += 1
        endpoint = self.endpoints[index]
        url = self.next_url.pop(index, endpoint.path)
        started = time.perf_counter()
        try:
            response = self.clients[endpoint.client].get(url)
        except httpx.HTTPError as exc:
            return Sample(index, time.perf_counter() - started, 0, 0, f"{type(exc).__name__}")
        timing = server_timing(response)
        sample = Sample(index, time.perf_counter() - started, response.status_code,
                        len(response.content), server_ms=timing.get("app"),
                        server_cpu_ms=timing.get("cpu"), server_db_ms=timing.get("db"),
                        queries=int(timing["queries"]) if "queries" in timing else None)
        if endpoint.follow_next and response.status_code == 200:
            following = response.json().get("next")
            if following:
                self.next_url[index] = following
        return sample

    def run(self, keep_going: Callable[[], bool], record: bool) -> None:
        while keep_going():
            sample = self.request()
            if record:
                self.samples.append(sample)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


class Runner(Protocol):
    samples: list[Sample]

    def run(self, keep_going: Callable[[], bool], record: bool) -> None: ...

    def close(self) -> None: ...


R = TypeVar("R", bound=Runner)


@dataclass
class Measured(Generic[R]):
    users: list[R]
    samples: list[Sample]
    seconds: float
    cpu: dict[str, float]  # CPU seconds used over the measured phase, by process tree


def run_users(make: Callable[[int], R], concurrency: int, warmup: float,
              duration: float | None, requests: int | None,
              cpu: Callable[[], dict[str, float]] | None = None) -> Measured[R]:
    """Warm up every client for `warmup` seconds, then measure all of them together."""
    budget = Budget(duration, requests)
    marks: dict[str, float] = {}
    cpu_before: dict[str, float] = {}

    def begin() -> None:
        cpu_before.update(cpu() if cpu else {})
        marks["start"] = time.monotonic()
        budget.start()

    warm_done = threading.Barrier(concurrency, action=begin)
    users: list[R] = []
    errors: list[BaseException] = []

    def user(i: int) -> None:
        try:
            load = make(i)
            users.append(load)
            warm_until = time.monotonic() + warmup
            load.run(lambda: time.monotonic() < warm_until, record=False)
            warm_done.wait()
            load.run(budget.take, record=True)
        except BaseException as exc:
            errors.append(exc)
            warm_done.abort()

    threads = [threading.Thread(target=user, args=(i,), name=f"client-{i}", daemon=True)
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - marks.get("start", time.monotonic())
    cpu_after = cpu() if cpu else {}
    for load in users:
        load.close()
    if errors:
        raise RuntimeError(f"a load client failed: {errors[0]!r}") from errors[0]
    used = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    return Measured(users, [s for load in users for s in load.samples], seconds, used)


def run_load(make_clients: Callable[[int], dict[Kind, httpx.Client]],
             endpoints: Sequence[Endpoint], concurrency: int, warmup: float,
             duration: float | None, requests: int | None,
             cpu: Callable[[], dict[str, float]] | None = None) -> LoadResult:
    """run_users with clients cycling through `endpoints`."""
    done = run_users(lambda i: LoadClient(make_clients(i), endpoints, offset=i), concurrency,
                     warmup, duration, requests, cpu)
    per_endpoint = [summarize(ep.name, [s for s in done.samples if s.endpoint == i],
                              done.seconds) for i, ep in enumerate(endpoints)]
    return LoadResult(per_endpoint, summarize("total", done.samples, done.seconds),
                      done.seconds, warmup, concurrency, done.cpu)
