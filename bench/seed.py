"""Seed the bench database: people and projects through the app's services, bulk data by COPY."""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from annotation.pure.text import content_hash
from bench import db
from bench.env import BenchEnv, manage, setup_django
from bench.textgen import RELATIONS, SENTIMENTS, AnnotationPlan, Corpus, relations_between

PROJECT = "Bench corpus"
MANAGER = "bench-manager"
PASSWORD = "bench-Password-1"  # a local, throwaway database
ANNOTATORS = ("bench-ann1", "bench-ann2", "bench-ann3")
OWNER = "bench-owner"
EXTRA_PROJECTS = 24
CHUNK = 2000
BASE_TIME = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)

COLUMNS: dict[str, tuple[str, ...]] = {
    "annotation_document": ("id", "project_id", "external_id", "text", "meta", "content_hash",
                            "status", "pii", "is_gold_check", "created_at"),
    "annotation_annotation": ("id", "project_id", "document_id", "kind", "annotator_id",
                              "status", "version", "seconds_spent", "created_at",
                              "updated_at", "submitted_at"),
    "annotation_span": ("id", "annotation_id", "start", "end", "label_id"),
    "annotation_relation": ("id", "annotation_id", "head_id", "tail_id", "label_id"),
    "annotation_sentimentchoice": ("id", "annotation_id", "label_id"),
    "annotation_assignment": ("id", "project_id", "document_id", "annotator_id", "status",
                              "created_at", "expires_at", "finished_at"),
}
TABLES = list(COLUMNS)


@dataclass(frozen=True)
class Fixture:
    project_id: int
    overlap: int
    annotator_ids: list[int]
    labels: dict[tuple[str, str], int]  # (kind, name) -> label id
    reviewer_id: int  # bench-owner, a reviewer of the big project: the gold's author
    username: str = MANAGER
    password: str = PASSWORD


@dataclass
class SeedInfo:
    fixture: Fixture
    n: int
    reused: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def prepare(env: BenchEnv, n: int, seed: int, keep: bool, gold: bool = False) -> SeedInfo:
    """A migrated bench database holding n documents: reused with keep, else seeded afresh.
    With gold, every document of the big project also has a gold annotation (reviewed)."""
    started = time.perf_counter()
    reuse = keep and db.current_marker(env.database_url) == db.marker(n, seed, gold)
    if not reuse:
        db.recreate(env.database_url)
    manage(env, "migrate", "--noinput")
    setup_django(env)
    if reuse:
        return SeedInfo(load_fixture(), n, True, time.perf_counter() - started)
    fixture = create_fixture()
    rows = copy_corpus(env.database_url, fixture, n, seed, gold)
    db.finish_load(env.database_url, TABLES)
    db.mark(env.database_url, n, seed, gold)
    return SeedInfo(fixture, n, False, time.perf_counter() - started, rows)


def create_fixture() -> Fixture:
    """Users, the big project with its labels, and smaller projects, via the app's services."""
    from django.contrib.auth import get_user_model

    from projects import services

    users = get_user_model().objects
    manager = users.create_user(MANAGER, password=PASSWORD, is_staff=True)
    owner = users.create_user(OWNER)
    annotators = [users.create_user(name) for name in ANNOTATORS]
    project = services.project_create(
        creator=manager, name=PROJECT, description="Synthetic news in English and Chinese.",
        tasks=["ner", "relations", "sentiment"], overlap=len(ANNOTATORS))
    for user in annotators:
        services.member_add(project=project, username=user.username, role="annotator")
    services.member_add(project=project, username=OWNER, role="reviewer")
    _create_labels(project)
    roles = ("manager", "reviewer", "annotator", "consumer")
    for i in range(EXTRA_PROJECTS):
        creator = manager if i % 2 else owner
        extra = services.project_create(creator=creator, name=f"Bench side project {i + 1}",
                                        description="A smaller project in the list.")
        if creator is owner:
            services.member_add(project=extra, username=MANAGER, role=roles[i // 2 % 4])
    return load_fixture()


def _create_labels(project: Any) -> None:
    from projects import services

    for i, name in enumerate(("PER", "ORG", "LOC", "DATE")):
        services.label_create(project=project, kind="entity", name=name, shortcut=str(i + 1))
    for name, (head, tail) in RELATIONS.items():
        services.label_create(project=project, kind="relation", name=name,
                              head_labels=[head], tail_labels=[tail])
    for name, value in zip(SENTIMENTS, (1.0, 0.0, -1.0), strict=True):
        services.label_create(project=project, kind="sentiment", name=name, value=value)


def load_fixture() -> Fixture:
    from django.contrib.auth import get_user_model

    from projects.models import Project

    project = Project.objects.get(name=PROJECT)
    users = get_user_model().objects.filter(username__in=ANNOTATORS).order_by("username")
    labels = {(lb.kind, lb.name): lb.pk for lb in project.labels.all()}
    reviewer = get_user_model().objects.get(username=OWNER)
    return Fixture(project.pk, project.overlap, [u.pk for u in users], labels, reviewer.pk)


class RowBuilder:
    """Rows for every table, document by document, with ids assigned here (COPY returns none)."""

    def __init__(self, fixture: Fixture, seed: int, first_ids: dict[str, int],
                 gold: bool = False) -> None:
        self.fx = fixture
        self.gold = gold
        self.corpus = Corpus(seed)
        self.rng = random.Random(seed + 7)
        self.next_id = dict(first_ids)
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def take(self) -> dict[str, list[tuple[Any, ...]]]:
        rows, self.rows = self.rows, {t: [] for t in TABLES}
        return rows

    def document(self, index: int) -> None:
        """One document; 60% fully annotated (status annotated), 15% partly, 25% untouched.
        With gold, every document also gets its gold (the true mentions, the relations
        between them, the true sentiment) and is reviewed, as a gold save makes it."""
        doc = self.corpus.document()
        roll = self.rng.random()
        count = 0 if roll < 0.25 else (self.fx.overlap if roll >= 0.4 else self.rng.randint(1, 2))
        status = "annotated" if count >= self.fx.overlap else "new"
        created = BASE_TIME + timedelta(seconds=index)
        doc_id = self._id("annotation_document")
        self.rows["annotation_document"].append((
            doc_id, self.fx.project_id, f"bench-{index:07d}", doc.text, "{}",
            content_hash(doc.text), "reviewed" if self.gold else status, "{}", False, created))
        for turn, user in enumerate(self.rng.sample(self.fx.annotator_ids, count)):
            self._annotation(doc, doc_id, user, created + timedelta(minutes=10 + 3 * turn))
        if self.gold:  # no draw from self.rng: the rest of the corpus is the same either way
            plan = AnnotationPlan(list(doc.entities), relations_between(list(doc.entities)),
                                  doc.sentiment)
            reviewed = created + timedelta(days=1)
            self._labelling(plan, doc_id, "gold", self.fx.reviewer_id, reviewed, 0.0)

    def _annotation(self, doc: Any, doc_id: int, user: int, submitted: datetime) -> None:
        plan = self.corpus.annotation(doc)
        spent = round(self.rng.uniform(20, 240), 1)
        self._labelling(plan, doc_id, "annotation", user, submitted, spent)
        pid = self.fx.project_id
        taken = submitted - timedelta(seconds=spent + 30)
        self.rows["annotation_assignment"].append((
            self._id("annotation_assignment"), pid, doc_id, user, "submitted", taken,
            taken + timedelta(minutes=30), submitted))

    def _labelling(self, plan: AnnotationPlan, doc_id: int, kind: str, user: int,
                   submitted: datetime, spent: float) -> None:
        """A submitted annotation (or gold) with its spans, relations and sentiment."""
        labels, pid = self.fx.labels, self.fx.project_id
        ann_id = self._id("annotation_annotation")
        self.rows["annotation_annotation"].append((
            ann_id, pid, doc_id, kind, user, "submitted", 1, spent,
            submitted - timedelta(seconds=spent), submitted, submitted))
        span_ids = [self._id("annotation_span") for _ in plan.spans]
        self.rows["annotation_span"].extend(
            (sid, ann_id, s, e, labels[("entity", entity)])
            for sid, (s, e, entity) in zip(span_ids, plan.spans, strict=True))
        self.rows["annotation_relation"].extend(
            (self._id("annotation_relation"), ann_id, span_ids[h], span_ids[t],
             labels[("relation", name)]) for h, t, name in plan.relations)
        self.rows["annotation_sentimentchoice"].append(
            (self._id("annotation_sentimentchoice"), ann_id, labels[("sentiment", plan.sentiment)]))


def _first_ids(conn: psycopg.Connection) -> dict[str, int]:
    query = "SELECT COALESCE(max(id), 0) + 1 FROM {}"
    return {t: conn.execute(sql.SQL(query).format(sql.Identifier(t))).fetchone()[0]  # type: ignore[index]
            for t in TABLES}


def _copy(cur: psycopg.Cursor, table: str, rows: list[tuple[Any, ...]]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table]))
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _chunks(n: int) -> Iterator[range]:
    for start in range(0, n, CHUNK):
        yield range(start, min(n, start + CHUNK))


def copy_corpus(url: str, fixture: Fixture, n: int, seed: int, gold: bool = False
                ) -> dict[str, int]:
    """COPY n documents and their annotations (and gold), chunk by chunk, in one transaction."""
    counts = dict.fromkeys(TABLES, 0)
    with (psycopg.connect(url) as conn, conn.cursor() as cur,
          db.foreign_keys_dropped(conn, TABLES)):
        builder = RowBuilder(fixture, seed, _first_ids(conn), gold)
        for chunk in _chunks(n):
            for index in chunk:
                builder.document(index)
            for table, rows in builder.take().items():  # parents before children
                _copy(cur, table, rows)
                counts[table] += len(rows)
    return counts
