"""The scenario registry. A scenario is a module here that decorates a function with @scenario.

    @scenario("name", "what it measures")
    def run(ctx: Context) -> ScenarioResult: ...

Every module in this package is imported by discover(), so adding a file is enough.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.env import BenchEnv
from bench.load import LoadResult
from bench.procs import Monitor
from bench.seed import SeedInfo


@dataclass(frozen=True)
class Context:
    """What a scenario gets: a running server and worker on a seeded database."""

    base_url: str
    env: BenchEnv
    seed: SeedInfo
    concurrency: int
    warmup: float
    duration: float | None
    requests: int | None
    cpu: Callable[[], dict[str, float]]  # CPU seconds so far: server, worker, bench (client)
    monitor: Monitor | None = None  # memory of the server and worker trees: now, or a window
    think: float = 0.0  # mean pause of a simulated user between requests (--think)

    @property
    def project_id(self) -> int:
        return self.seed.fixture.project_id

    @property
    def username(self) -> str:
        return self.seed.fixture.username

    @property
    def password(self) -> str:
        return self.seed.fixture.password


@dataclass
class ScenarioResult:
    load: LoadResult | None = None  # an HTTP load, reported per endpoint
    timings: dict[str, float] = field(default_factory=dict)  # e.g. a job's seconds to the end
    failures: list[str] = field(default_factory=list)  # anything that makes the run fail
    extra: dict[str, object] = field(default_factory=dict)  # more facts for the JSON file


Runner = Callable[[Context], ScenarioResult]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    run: Runner
    gold: bool = False  # the seed gives every document of the big project a gold (reviewed)


REGISTRY: dict[str, Scenario] = {}


def scenario(name: str, description: str, *, gold: bool = False
             ) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        if name in REGISTRY:
            raise ValueError(f"scenario {name!r} is registered twice")
        REGISTRY[name] = Scenario(name, description, run, gold)
        return run

    return register


def discover() -> dict[str, Scenario]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
