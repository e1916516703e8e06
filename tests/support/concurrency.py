"""Work run at once in threads, each thread with its own database connection (integration suites)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

Result = TypeVar("Result")


def in_parallel(work: Callable[[int], Result], count: int, *, timeout: float = 120) -> list[Result]:
    """Run `work(0)` … `work(count - 1)` in `count` threads released together by a barrier; return
    what they returned (in no order). An error in a thread is raised here, not lost with it."""
    start = threading.Barrier(count)
    results: list[Result] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def one(number: int) -> None:
        try:
            start.wait()
            result = work(number)
            with lock:
                results.append(result)
        except BaseException as error:
            with lock:
                failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if failures:
        raise failures[0]
    assert len(results) == count, f"{count - len(results)} of {count} threads did not finish in {timeout} s"
    return results
