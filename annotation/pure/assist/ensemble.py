"""A project's switched-on agents run together over a batch of texts: the entity agents
first, then the relation agent over the entities they found. The answer is flat rows ready
to store, and each text's confidence (the least sure decision of any agent). Django-free,
so that batches can be predicted in other processes (`Predictor`)."""

import contextlib
import importlib
import os
import pickle
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from annotation.pure.assist.base import ENTITY, GoldDoc, Predicted

ENTITY_KINDS = ("dictionary", "crf")
RELATION_KIND = "relation"
# (text index, member slot, proposal kind, label name, start, end, tail start, tail end, score)
Row = tuple[int, int, str, str, int | None, int | None, int | None, int | None, float]
K = TypeVar("K")


@dataclass(frozen=True)
class Member:
    """An agent as the ensemble runs it: `slot` is the caller's index for it, `kind` the
    pure module that predicts (dictionary, crf, sentiment, relation)."""

    slot: int
    kind: str
    model: Any


@dataclass
class Batch:
    rows: list[Row] = field(default_factory=list)
    confidence: list[float | None] = field(default_factory=list)  # None: no agent answered


def _ordered(members: Sequence[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (m.kind == RELATION_KIND, m.slot))


def predict_rows(members: Sequence[Member], texts: Sequence[str]) -> Batch:
    """Every member's proposals for `texts`, entity agents before the relation agent."""
    batch = Batch(confidence=[None] * len(texts))
    entities: list[set[tuple[int, int, str]]] = [set() for _text in texts]
    for member in _ordered(members):
        docs = [GoldDoc(text=text, entities=tuple(sorted(found)))
                for text, found in zip(texts, entities, strict=True)] \
            if member.kind == RELATION_KIND else [GoldDoc(text=text) for text in texts]
        module = importlib.import_module(f"annotation.pure.assist.{member.kind}")
        for i, predicted in enumerate(module.predict(member.model, docs)):
            _add(batch, i, member, predicted)
            if member.kind in ENTITY_KINDS:
                entities[i].update((p.start, p.end, p.label) for p in predicted.proposals
                                   if p.kind == ENTITY and p.start is not None
                                   and p.end is not None)
    return batch


def _add(batch: Batch, i: int, member: Member, predicted: Predicted) -> None:
    add = batch.rows.append
    for p in predicted.proposals:
        add((i, member.slot, p.kind, p.label, p.start, p.end, p.tail_start, p.tail_end,
             min(max(float(p.score), 0.0), 1.0)))
    known = batch.confidence[i]
    batch.confidence[i] = predicted.confidence if known is None else min(
        known, predicted.confidence)


class Predictor:
    """`predict_rows` for batch after batch, in this process or, when `processes` is more
    than 1, in that many child interpreters (`python -m` this module: plain subprocesses,
    which a daemonic Celery worker process may start, unlike multiprocessing's) that get the
    members once and then a batch at a time over their pipes. A child is sent a batch only
    when it is idle, so neither side can block the other. Use it as a context manager."""

    def __init__(self, members: Sequence[Member], processes: int) -> None:
        self.members = list(members)
        self.processes = max(1, processes)
        self.children: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> "Predictor":
        if self.processes > 1:
            payload = pickle.dumps(self.members, protocol=pickle.HIGHEST_PROTOCOL)
            root = str(Path(__file__).resolve().parents[3])
            env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "PYTHONPATH": os.pathsep.join(
                       p for p in (root, os.environ.get("PYTHONPATH")) if p)}
            for _ in range(self.processes):
                child = subprocess.Popen(
                    [sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, env=env, cwd=root)
                self.children.append(child)
                self._send(child, payload)
        return self

    def __exit__(self, *exc: object) -> None:
        for child in self.children:
            for pipe in (child.stdin, child.stdout):  # end of input ends the child's loop;
                if pipe is not None:  # an answer nobody will read ends it too (on error)
                    with contextlib.suppress(BrokenPipeError):
                        pipe.close()
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def run(self, batches: Iterable[tuple[K, list[str]]]) -> Iterator[tuple[K, Batch]]:
        """Each batch's key and prediction, in the order the batches came."""
        if not self.children:
            for key, texts in batches:
                yield key, predict_rows(self.members, texts)
            return
        idle = deque(self.children)
        pending: deque[tuple[K, subprocess.Popen[bytes]]] = deque()
        for key, texts in batches:
            if not idle:
                done, child = pending.popleft()
                yield done, self._receive(child)
                idle.append(child)
            child = idle.popleft()
            self._send(child, pickle.dumps(texts, protocol=pickle.HIGHEST_PROTOCOL))
            pending.append((key, child))
        while pending:
            done, child = pending.popleft()
            yield done, self._receive(child)

    @staticmethod
    def _send(child: subprocess.Popen[bytes], payload: bytes) -> None:
        assert child.stdin is not None
        try:
            child.stdin.write(payload)
            child.stdin.flush()
        except BrokenPipeError as exc:
            raise PredictorError(child.wait()) from exc

    @staticmethod
    def _receive(child: subprocess.Popen[bytes]) -> Batch:
        assert child.stdout is not None
        try:
            batch: Batch = pickle.load(child.stdout)
        except EOFError as exc:
            raise PredictorError(child.wait()) from exc
        return batch


class PredictorError(RuntimeError):
    def __init__(self, code: int) -> None:
        super().__init__(f"a prediction process ended with exit code {code} (its error is "
                         f"in this process's standard error)")


def _serve() -> None:
    """A child's loop: the members, then a batch of texts at a time, until end of input."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    members = pickle.load(stdin)
    while True:
        try:
            texts = pickle.load(stdin)
        except EOFError:
            return
        pickle.dump(predict_rows(members, texts), stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    # through the module's own name, so that the answers pickle as its classes, not __main__'s
    importlib.import_module("annotation.pure.assist.ensemble")._serve()
