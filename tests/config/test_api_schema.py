"""The OpenAPI schema is valid, and the API keeps to it: schemathesis calls every operation.

Every operation gets a few generated requests, sent straight to the WSGI app with the token
of the manager of a project with labels, documents, annotators' work, gold, a dataset
version and jobs: first 3 valid ones (schemathesis' positive mode) about the fixture's own
objects, then 10 valid and invalid ones (positive and negative modes) whose path parameters
are the fixture's real ids or generated ones, and whose body's `username` and `version` are
sometimes real ones, so the found, the not-found and the conflicting answers are all
exercised. Each answer must not be a 5xx, and must have a status code, a content type and a
body the schema documents. Every operation but those UNREACHED names must have succeeded.

The same run is repeated with the token of a reviewer, an annotator and a consumer, and
with none: there a 2xx must come only from operations the role has the right for (the role
matrix' SPEC and TABLE), each of those must have succeeded, each forbidden operation must
have answered 403 (anonymous: 401), and the answers must still keep to the schema.

The run is the same requests every time, whatever ran before, on SQLite and PostgreSQL:
derandomized, without Hypothesis' pool of the code's literals (`fixed_generation`), with
the database's id sequences reset. Operations that remove things come last (DELETE, skip),
and deleting the project is a test of its own, since every other operation needs the
project.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.urls import resolve, reverse
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.internal.cache import LRUCache
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from annotation.models import Agent, Annotation
from annotation.services.assignments import assignment_next
from annotation.services.exports import export_start
from annotation.services.store import annotation_save
from projects.models import Job, Membership, Role
from tests.conftest import api_client_for
from tests.factories import PASSWORD, DocumentFactory, LabelFactory, UserFactory
from tests.projects.test_role_matrix import SPEC, TABLE

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 10  # per operation
VALID_EXAMPLES = 3  # per operation, before those: valid requests about the fixture's objects
HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], print_blob=False,
                      suppress_health_check=list(HealthCheck))
VALID = settings(HYPOTHESIS, max_examples=VALID_EXAMPLES)
DECISION = {"agent": "crf", "kind": "entity", "label": "PER", "decision": "accepted",
            "start": 0, "end": 5}
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                     {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
        "sentiment": "positive"}


def test_the_schema_is_valid_openapi(db):
    response = api_client_for(None).get(reverse("api:schema"), {"format": "json"},
                                        HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # drf-spectacular's copy of the OpenAPI 3.0 JSON Schema
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for code in ("400", "401", "403", "404", "429", "503"):
                assert operation["responses"][code]["content"]["application/json"][
                    "schema"] == error, (method, path, code)


# What schemathesis found, pinned down.


def test_a_write_to_no_api_url_is_a_json_404_not_the_csrf_page(db):
    response = Client(enforce_csrf_checks=True).put("/api/v1/projects/1.5/", "{}",
                                                    content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_a_project_without_tasks_is_a_400_not_a_500(world, settings):
    settings.CONCORD_PROJECT_CREATORS = "any"
    client = api_client_for(world.users["manager"])
    created = client.post(reverse("api:projects"), {"name": "P", "tasks": []}, format="json")
    assert created.status_code == 400
    assert created.json()["errors"][0]["field"] == "tasks"
    updated = client.patch(reverse("api:project", kwargs={"project_id": world.project.pk}),
                           {"tasks": []}, format="json")
    assert updated.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_download_has_its_format_s_content_type(world, media):
    manager = world.users["manager"]
    export_start(project=world.project, by=manager, fmt="conll", scope="all", name="v")
    version = world.project.versions.get()
    response = api_client_for(manager).get(reverse("api:version-download", kwargs={
        "project_id": world.project.pk, "version_id": version.pk}))
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.fixture
def fixed_generation(monkeypatch):
    """The same requests in every run: derandomize alone is not enough.

    Hypothesis mixes into what it draws the literals of the project's modules loaded at the
    time (its "local constants", hypothesis.internal.conjecture.providers): a run that has
    imported more of the code (`pytest tests` collects every test module) or a changed literal
    anywhere in the code changed the requests, and with them which operations succeeded (a
    fresh clone saw 35 where 36 were asserted). Without that pool, the requests depend only
    on this file and each operation's schema. A Hypothesis that renames these internals
    fails here loudly (monkeypatch raises), not silently."""
    monkeypatch.setattr(providers, "_get_local_constants", Constants)
    monkeypatch.setattr(providers, "CONSTANTS_CACHE", LRUCache(1024))  # none drawn from before


@dataclass
class Values:
    """What the schema's hooks put into requests: one of the fixture's ids for a path
    parameter, real values for some body fields. `only_real`: always (the valid pass)."""

    ids: dict[str, list]
    body: dict[str, Callable[[], Any]]
    only_real: bool = False


@pytest.fixture
def populate(world, media, settings, fixed_generation
             ) -> Callable[[str], tuple[schemathesis.BaseSchema, dict, Values]]:
    """The world, with a reviewed document, one leased to the caller, a version and jobs;
    called with a role (or "anonymous"): the schema, that user's Authorization header and
    the values the schema's hooks draw from."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' Host
    settings.CONCORD_PROJECT_CREATORS = "any"  # POST /projects/ may succeed too
    manager = world.users["manager"]
    for name, sentiment in (("ann-a", "positive"), ("ann-b", "negative")):
        annotation_save(document=world.document, annotator=UserFactory(username=name),
                        status="submitted", version=0, content={**GOLD, "sentiment": sentiment})
    annotation_save(document=world.document, annotator=world.users["reviewer"], kind="gold",
                    status="submitted", version=0, content=GOLD)
    DocumentFactory(project=world.project, text="Bob works for 株式会社 🚀 since May.")
    unused = LabelFactory(project=world.project, name="LOC")  # one a DELETE can remove
    spare = DocumentFactory(project=world.project, text="A spare one for bulk actions.")
    Agent.objects.create(project=world.project, name="crf", kind="crf", active=True)
    export_start(project=world.project, by=manager, fmt="jsonl", scope="gold", name="v1",
                 pseudonymize=False)

    def as_role(role: str) -> tuple[schemathesis.BaseSchema, dict[str, str], Values]:
        user = world.users.get(role, manager)  # anonymous: the manager's lease, no token
        if role == "anonymous" or "label" in TABLE[role]:
            leased = assignment_next(project=world.project, user=user)
        else:  # a consumer can't label: the ids are the manager's lease
            leased = assignment_next(project=world.project, user=manager)
        assert leased is not None

        def annotation_version() -> int:
            mine = Annotation.objects.filter(document_id=leased.document_id, annotator=user,
                                             kind="annotation").first()
            return mine.version if mine else 0

        ids: dict[str, list] = {
            "project_id": [world.project.pk],
            "document_id": [leased.document_id, world.document.pk],
            "label_id": [unused.pk, *(label.pk for label in world.labels.values())],
            "version_id": [world.project.versions.get().pk],
            "username": [world.users["annotator"].username, world.users["consumer"].username],
            "job_id": list(Job.objects.order_by("pk").values_list("pk", flat=True)),
            "name": ["crf", "llm", "dictionary", "sentiment", "relation"],  # agents
        }
        body = {"username": lambda: "outsider", "password": lambda: PASSWORD,
                "version": annotation_version,
                "documents": lambda: [world.document.pk],  # gold checks: a document with gold
                "decisions": lambda: [DECISION],  # on suggestions: a stored agent's
                # bulk actions (any, a delete too) and exports of a set: the spare document;
                # an assignment: to an annotator
                "ids": lambda: [spare.pk], "filter": lambda: {"q": "A spare one for bulk"},
                "annotators": lambda: [world.users["annotator"].username]}
        values = Values(ids, body)
        if role == "anonymous":
            return _schema(values), {}, values
        token, _ = Token.objects.get_or_create(user=user)
        return _schema(values), {"Authorization": f"Token {token.key}"}, values

    return as_role


@pytest.fixture
def populated(populate):
    return populate("manager")


def _schema(values: Values) -> schemathesis.BaseSchema:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())
    ids, body = values.ids, values.body

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        # Each path parameter: one of the fixture's ids, or the generated value (the valid
        # pass: always one of the ids).
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries({
            name: st.sampled_from(ids[name] if values.only_real and ids.get(name)
                                  else [*ids.get(name, []), value])
            for name, value in path_parameters.items()})

    @loaded.hook
    def flatmap_body(context, value):
        # A JSON body as generated, or with its username, password and version made real
        # (read when drawn: the annotation's version grows as the run saves it).
        if not isinstance(value, dict) or not body.keys() & value.keys():
            return st.just(value)
        real = st.builds(lambda: {**value, **{k: body[k]() for k in body.keys() & value.keys()}})
        if value.keys() & {"documents", "ids", "filter"} or values.only_real:
            # random ids never name a document, and a random filter may delete them all
            return real                                 # with gold: always real
        return st.one_of(st.just(value), real)

    return loaded


def _strategy(operation) -> st.SearchStrategy:
    return st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))


def _valid(operation) -> st.SearchStrategy:
    return operation.as_strategy(generation_mode=GenerationMode.POSITIVE)


def _manages(headers: dict[str, str], project_id: Any) -> bool:
    token = headers.get("Authorization", " ").split(" ", 1)[1]
    return Membership.objects.filter(project_id=project_id, user__auth_token__key=token,
                                     role=Role.MANAGER).exists()


def _test(operation, strategy: st.SearchStrategy, examples: settings, headers: dict[str, str],
          calls: Counter, project_id: int) -> Callable[[], None]:
    """A Hypothesis test that calls `operation` with the cases `strategy` draws and checks
    each answer; counts the statuses.
    A call about another project than the fixture's (a generated id: it can name one that
    the caller created earlier in the run, through POST /projects/) is counted apart, and
    may succeed only if the caller manages that project."""
    @examples
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        label, other = operation.label, (case.path_parameters or {}).get("project_id")
        if other is not None and other != project_id:
            assert response.status_code >= 300 or _manages(headers, other), (
                f"{label} succeeded on project {other}, which the caller does not manage")
            label += " (another project)"
        calls[label, response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    return call


def _run(operations, headers: dict[str, str], values: Values, project_id: int
         ) -> tuple[Counter, list[str]]:
    """Call each operation with generated cases: the (operation, status) counts, the failures.

    First a few valid requests (positive mode) about the fixture's own objects (every path
    parameter one of its ids, the body's username and version real): each operation the
    caller may use gets requests that can succeed, so that one succeeds does not depend on
    how the generated ids and bodies fall. Then the valid and invalid requests with real or
    generated ids."""
    calls: Counter = Counter()
    failures = []
    for operation in operations:
        for only_real, strategy, examples in ((True, _valid(operation), VALID),
                                              (False, _strategy(operation), HYPOTHESIS)):
            values.only_real = only_real
            try:
                _test(operation, strategy, examples, headers, calls, project_id)()
            except (Exception, BaseExceptionGroup) as exc:  # each operation's problems at once
                failures.append(f"{operation.label}{' (valid)' if only_real else ''}: {exc}")
            finally:
                values.only_real = False
    return calls, failures


def _last(operation) -> bool:
    """Operations that remove what later ones need."""
    return operation.method.upper() == "DELETE" or operation.path.endswith("/skip/")


def _operations(schema, include_delete_project: bool) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    chosen = [op for op in found
              if (op.method.upper() == "DELETE" and op.path.endswith(DELETE_PROJECT))
              == include_delete_project]
    return sorted(chosen, key=_last)


DELETE_PROJECT = "/v1/projects/{project_id}/"


# Operations the generated requests are not expected to get through, and why. Every other
# operation must have succeeded at least once (the valid pass makes that no matter of luck).
UNREACHED = {
    "PUT /api/v1/projects/{project_id}/labels/{label_id}/":
        "a whole label: its kind must stay the label's, and a valid name is taken by then "
        "(POST /labels/ made it)",
}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_api_keeps_to_its_schema(world, populated):
    schema, headers, values = populated
    operations = _operations(schema, include_delete_project=False)
    assert len(operations) >= 34
    calls, failures = _run(operations, headers, values, world.project.pk)
    assert not failures, f"{len(failures)} of {len(operations)} operations:\n" + \
        "\n\n".join(failures)
    print(f"\n{len(operations)} operations, {calls.total()} calls:",
          *sorted(calls.items()), sep="\n")
    assert calls.total() >= (EXAMPLES - 2) * len(operations)
    succeeded = {label for label, status in calls if status < 300}
    expected = {op.label for op in operations} - UNREACHED.keys()
    assert expected <= succeeded, sorted(expected - succeeded)


def _right(label: str) -> str | None:
    """The project right an operation needs (the role matrix' SPEC); None: not project-scoped."""
    method, path = label.split(" ", 1)
    name = resolve(re.sub(r"\{\w+\}", "1", path)).view_name
    return SPEC.get(name, {}).get(method)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.parametrize("role", ["reviewer", "annotator", "consumer", "anonymous"])
def test_each_role_gets_only_what_it_may_and_keeps_to_the_schema(world, populate, role):
    """The same generated requests with each other role's token (or none): no 5xx, answers
    the schema documents, and a 2xx only where the role has the right (anonymous: 401)."""
    schema, headers, values = populate(role)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_last)
    calls, failures = _run(operations, headers, values, world.project.pk)
    print(f"\n{role}: {len(operations)} operations, {calls.total()} calls")
    assert not failures, f"{len(failures)} of {len(operations)} operations:\n" + \
        "\n\n".join(failures)
    assert calls.total() >= (EXAMPLES - 2) * len(operations)
    rights = {op.label: _right(op.label) for op in operations}
    scoped = {label for label, right in rights.items() if right}
    assert len(scoped) >= 30
    answered = {(label, status) for label, status in calls}
    if role == "anonymous":  # a path the urlconf doesn't match is a 404 before any login
        assert {status for label, status in answered if label in scoped} <= {401, 404}
        assert all((label, 401) in answered for label in scoped)
        return
    allowed = {label for label in scoped if rights[label] in TABLE[role]}
    succeeded = {label for label, status in answered if status < 300}
    print(f"{len(succeeded & allowed)} of {len(allowed)} allowed operations succeeded, "
          f"{len(scoped - allowed)} forbidden ones answered 403")
    assert succeeded & scoped <= allowed, sorted(succeeded & scoped - allowed)
    assert allowed - UNREACHED.keys() <= succeeded, sorted(allowed - succeeded)
    assert all((label, 403) in answered for label in scoped - allowed), sorted(
        label for label in scoped - allowed if (label, 403) not in answered)


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_deleting_a_project_keeps_to_the_schema(world, populated):
    schema, headers, values = populated
    [operation] = _operations(schema, include_delete_project=True)
    calls, failures = _run([operation], headers, values, world.project.pk)
    assert not failures, failures[0]
    assert calls[operation.label, 202] >= 1
