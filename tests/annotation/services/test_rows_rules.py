"""annotation.services.rows states two rules of selectors.labeling again in SQL, for the
labeling hot path: ``_live`` (through ``holders``) is ``live``, and ``candidate`` is
``documents_open_to``. On random projects, documents, assignments and annotations, each SQL
rule picks the same rows as its ORM twin, ``candidate`` one after another in the order of
``documents_open_to`` (by id, or by rank under an order other than sequential)."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    Document,
    DocumentStatus,
)
from annotation.selectors.labeling import documents_open_to, live
from annotation.services import rows
from projects.models import Order
from tests.factories import ProjectFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # 100 generated database states

USERS, DOCUMENTS, PROJECTS = 4, 8, 2
# Leases that ran out long ago or a moment ago, run out right now (the boundary: ``>``, not
# ``>=``), or still run.
EXPIRY = [timedelta(hours=-2), timedelta(microseconds=-1), timedelta(0),
          timedelta(microseconds=1), timedelta(hours=2)]
ANNOTATION = st.sampled_from([None, AnnotationStatus.DRAFT, AnnotationStatus.SUBMITTED])

documents = st.lists(st.fixed_dictionaries({
    "project": st.integers(0, PROJECTS - 1),
    "status": st.sampled_from(DocumentStatus.values),
    "is_gold_check": st.booleans(),
    "rank": st.none() | st.sampled_from([0.0, 0.25, 0.5]),  # ties: then by id
    "gold": st.booleans(),
    # per user: (assignment status and expiry) or none, and their annotation's status or none
    "holds": st.lists(st.tuples(st.none() | st.tuples(st.sampled_from(AssignmentStatus.values),
                                                       st.sampled_from(EXPIRY)), ANNOTATION),
                      min_size=USERS, max_size=USERS),
}), max_size=DOCUMENTS)

STATE = {"documents": documents, "overlaps": st.lists(st.integers(1, 4), min_size=PROJECTS,
                                                      max_size=PROJECTS),
         "orders": st.lists(st.sampled_from(Order.values), min_size=PROJECTS, max_size=PROJECTS),
         "project": st.integers(0, PROJECTS - 1), "user": st.integers(0, USERS - 1),
         "tried": st.lists(st.integers(0, DOCUMENTS - 1), max_size=3)}


def build(state: dict[str, Any], now: datetime) -> tuple[list, list, list[int]]:
    """The projects, users and documents' ids that ``state`` describes, stored."""
    projects = [ProjectFactory(overlap=k, order=order)
                for k, order in zip(state["overlaps"], state["orders"], strict=True)]
    users = [UserFactory() for _ in range(USERS)]
    docs = Document.objects.bulk_create(
        Document(project=projects[d["project"]], text="t", content_hash="h", status=d["status"],
                 is_gold_check=d["is_gold_check"], rank=d["rank"]) for d in state["documents"])
    assignments, annotations = [], []
    for doc, d in zip(docs, state["documents"], strict=True):
        if d["gold"]:
            annotations.append(Annotation(project=doc.project, document=doc, annotator=users[0],
                                          kind=AnnotationKind.GOLD,
                                          status=AnnotationStatus.SUBMITTED))
        for user, (held, annotated) in zip(users, d["holds"], strict=True):
            if held is not None:
                assignments.append(Assignment(project=doc.project, document=doc, annotator=user,
                                              status=held[0], expires_at=now + held[1]))
            if annotated is not None:
                annotations.append(Annotation(project=doc.project, document=doc, annotator=user,
                                              status=annotated))
    Assignment.objects.bulk_create(assignments)
    Annotation.objects.bulk_create(annotations)
    return projects, users, [doc.pk for doc in docs]


def sql_live(now: datetime) -> set[int]:
    """The assignments ``rows._live`` selects."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT h.id FROM {Assignment._meta.db_table} h WHERE {rows._live('h')}",
                       [rows._dt(now)])
        return {pk for (pk,) in cursor.fetchall()}


def sql_open(project, user, now: datetime, tried: list[int]) -> list[int]:
    """Every document ``rows.candidate`` hands out, one after another, each then tried."""
    found: list[int] = []
    while (pk := rows.candidate(project_id=project.pk, user_id=user.pk, now=now,
                                overlap=project.overlap, tried=tried + found,
                                wait=True, order=project.order)) is not None:
        found.append(pk)
    return found


def check(state: dict[str, Any]) -> None:
    now = timezone.now()
    projects, users, ids = build(state, now)
    assert sql_live(now) == set(Assignment.objects.filter(live(now)).values_list("id", flat=True))
    for pk in ids:
        for user in [None, *users]:
            orm = Assignment.objects.filter(live(now), document_id=pk)
            orm = orm.exclude(annotator=user) if user is not None else orm
            assert rows.holders(document_id=pk, now=now,
                                exclude_user_id=user.pk if user else None) == orm.count()
    project, user = projects[state["project"]], users[state["user"]]
    expected = list(documents_open_to(project=project, user=user, now=now)
                    .values_list("id", flat=True))
    assert sql_open(project, user, now, []) == expected
    tried = [ids[i] for i in state["tried"] if i < len(ids)]
    assert sql_open(project, user, now, tried) == [pk for pk in expected if pk not in tried]


@hyp_settings(max_examples=100, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.fixed_dictionaries(STATE))
def test_the_sql_rules_select_what_the_orm_rules_select(state: dict[str, Any]) -> None:
    with transaction.atomic():  # each example on an empty database: rolled back after it
        check(state)
        transaction.set_rollback(True)
