"""Two reviewers saving the same document's gold at the same moment, on PostgreSQL: the
second one waits for the first one's lock, then gets a 409; nothing is overwritten.

The first save is held open (its transaction not committed) until the second is seen
waiting on a lock in pg_locks, so the two really overlap."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from annotation.models import GoldRevision
from annotation.selectors.gold import gold_of
from annotation.services.gold import gold_save
from projects.errors import Conflict

pytestmark = [
    pytest.mark.slow,  # real concurrent transactions
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="row locks need PostgreSQL (DATABASE_URL)"),
]
WAIT = 30  # seconds, only as a bound so that a broken lock cannot hang the suite


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)",
                       [pid])
        return bool(cursor.fetchone()[0])


def race(world, version: int) -> tuple[list, list]:
    """Reviewer saves (held open) while the manager saves with the same version."""
    document = world.document
    held, release = threading.Event(), threading.Event()
    second_pid: list[int] = []
    results: list = []
    errors: list = []

    def first():
        try:
            with transaction.atomic():
                results.append(("first", gold_save(document=document, by=world.users["reviewer"],
                                                   content={"sentiment": "positive"},
                                                   version=version).annotation.version))
                held.set()
                assert release.wait(WAIT)
        except Exception as exc:  # reported to the test below
            errors.append(exc)
            held.set()
        finally:
            connections.close_all()

    def second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            gold_save(document=document, by=world.users["manager"],
                      content={"sentiment": "negative"}, version=version)
            results.append(("second", "saved"))
        except Conflict as exc:
            results.append(("second", exc.status_code))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert held.wait(WAIT)
    b = threading.Thread(target=second)
    b.start()
    for _ in range(WAIT * 100):  # until the second save blocks on the first one's lock
        if second_pid and _waiting_on_a_lock(second_pid[0]):
            break
        threading.Event().wait(0.01)
    else:
        release.set()
        pytest.fail("the second save never waited on a lock")
    release.set()
    a.join(WAIT)
    b.join(WAIT)
    return results, errors


@pytest.mark.parametrize("existing", [False, True], ids=["first-gold", "update"])
def test_two_reviewers_saving_at_once_one_gets_409(world, existing):
    version = 0
    if existing:
        version = gold_save(document=world.document, by=world.users["reviewer"],
                            content={}, version=0).annotation.version
    results, errors = race(world, version)
    assert errors == []
    assert sorted(results) == [("first", version + 1), ("second", 409)]
    gold = gold_of(document=world.document)
    assert (gold["version"], gold["sentiment"]) == (version + 1, "positive")
    assert GoldRevision.objects.filter(document=world.document).count() == version + 1
