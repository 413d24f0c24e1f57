"""The app's processes under test (gunicorn, a Celery worker) and their memory, from /proc."""

import os
import signal
import socket
import subprocess
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

import httpx

from bench.env import ROOT, VENV_BIN, BenchEnv

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proc:
    """A process we started, in its own session, with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM our process (its children follow), then SIGKILL our own group if needed."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()


def start(name: str, cmd: list[str], env: BenchEnv, log_dir: Path) -> Proc:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    popen = subprocess.Popen(cmd, cwd=ROOT, env=env.full(), stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    return Proc(name, popen, log_path, log)


def _gunicorn_knows(setting: str) -> bool:
    from gunicorn import config

    return any(known.name == setting for known in config.KNOWN_SETTINGS)


def start_server(env: BenchEnv, port: int, log_dir: Path, workers: int = 4,
                 timeout: int = 60) -> Proc:
    """gunicorn as the Dockerfile runs it (config/gunicorn.py: threaded workers), with the
    bench's bind, worker count and timeout; no access log."""
    cmd = [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--config",
           "python:config.gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--timeout", str(timeout), "--access-logfile", "/dev/null"]
    if _gunicorn_knows("control_socket"):  # gunicorn 24+: keep its socket in our log folder
        cmd += ["--control-socket", str(log_dir / "gunicorn.ctl")]
    return start("server", cmd, env, log_dir)


def start_worker(env: BenchEnv, log_dir: Path) -> Proc:
    cmd = [str(VENV_BIN / "celery"), "-A", "config", "worker", "-Q", "concord", "-c", "1",
           "--loglevel", "warning"]
    return start("worker", cmd, env, log_dir)


def wait_http(proc: Proc, url: str, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log_tail()}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name} not ready at {url} after {timeout}s:\n{proc.log_tail()}")


def wait_worker(proc: Proc, timeout: float = 60.0) -> None:
    """Ping the worker through the broker (needs Django set up on the bench env)."""
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log_tail()}")
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"{proc.name} did not answer a ping in {timeout}s:\n{proc.log_tail()}")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_pids(root: int, tree: dict[int, list[int]]) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(tree.get(pid, []))
    return pids


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process, plus that of its children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; PSS shares pages among the processes using them."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines()[1:]:
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0])
    return values.get("Rss", 0), values.get("Pss", 0)


@dataclass
class Peak:
    rss_mb: float = 0.0  # the sum over the tree: counts pages shared after fork in each process
    pss_mb: float = 0.0
    processes: int = 0


@dataclass(kw_only=True)
class Sampler(ABC):
    """Calls `sample` in a thread every `interval` seconds while in its `with` block, and at
    the block's start and end."""

    interval: float = 0.2
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @abstractmethod
    def sample(self) -> object:
        """Take one sample (what a subclass measures)."""

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Self:
        self.sample()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__,
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()


@dataclass
class Monitor(Sampler):
    """Samples every tree's memory in a thread, keeping each tree's peak; reads CPU times."""

    roots: dict[str, int]
    peaks: dict[str, Peak] = field(default_factory=dict)
    _windows: list[dict[str, Peak]] = field(default_factory=list)

    def current(self) -> dict[str, Peak]:
        """Each tree's memory now: one fresh sample (it also counts towards the peaks)."""
        return self.sample()

    def sample(self) -> dict[str, Peak]:
        tree = _children()
        now: dict[str, Peak] = {}
        for name, root in self.roots.items():
            pids = tree_pids(root, tree)
            rss, pss = (sum(v) for v in zip(*map(_memory_kb, pids), strict=True))
            now[name] = Peak(rss / 1024, pss / 1024, len(pids))
            for peaks in [self.peaks, *self._windows]:
                peak = peaks.setdefault(name, Peak())
                peak.rss_mb = max(peak.rss_mb, now[name].rss_mb)
                peak.pss_mb = max(peak.pss_mb, now[name].pss_mb)
                peak.processes = max(peak.processes, len(pids))
        return now

    @contextmanager
    def window(self) -> Iterator[dict[str, Peak]]:
        """Each tree's peak over the `with` block only (sampled at its start and end too)."""
        peaks: dict[str, Peak] = {}
        self._windows.append(peaks)
        self.sample()
        try:
            yield peaks
        finally:
            self.sample()
            self._windows.remove(peaks)

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each tree, and by this (the client's) process."""
        tree = _children()
        used = {name: sum(map(_cpu_seconds, tree_pids(root, tree)))
                for name, root in self.roots.items()}
        times = os.times()
        return {**used, "bench": times.user + times.system}
