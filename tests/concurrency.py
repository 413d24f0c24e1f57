"""Running test bodies in threads released at the same instant, each on its own connection."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_together(target: Callable[..., object], args_list: Sequence[tuple], *,
                 wait: float = 60, join: float = 300) -> list[Exception]:
    """Start one thread per args tuple at the same moment; the exceptions they raised.
    `wait` bounds the barrier and `join` each thread, so a deadlock cannot hang the suite."""
    errors: list[Exception] = []
    barrier = threading.Barrier(len(args_list))

    def body(*args):
        try:
            barrier.wait(timeout=wait)
            target(*args)
        except Exception as exc:  # a deadlock, a barrier timeout: reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return errors
