"""A thread pool for independent I/O-bound calls (agent calls, HTTP) that keeps the caller's setup.

    results = threads.map(fn, items, concurrency=8, on_result=progress, cancel=event)

Each worker thread runs in a copy of the caller's context variables (request id, job id) and
the caller's active language, and closes its database connections when it ends. Inside a
transaction everything runs in the calling thread: other connections would not see its
uncommitted rows.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from django.db import connection, connections
from django.utils import translation


class Cancelled(Exception):
    """`cancel` was set (by another failure, say) before every item was done."""


def _prepared(fn: Callable, language: str | None) -> Callable:
    def run(item):
        try:
            with translation.override(language):
                return fn(item)
        finally:
            connections.close_all()  # this thread's connections: nobody else would close them

    return run


def map(  # noqa: A001 - named after the builtin it parallelises
    fn: Callable,
    items: Iterable,
    *,
    concurrency: int,
    on_result: Callable[[int, object], None] | None = None,
    cancel: threading.Event | None = None,
) -> list:
    """`[fn(item) for item in items]` on up to `concurrency` threads, results in input order.

    `on_result(done_count, result)` runs in the calling thread as results arrive (progress).
    The first exception sets `cancel`, stops the pool from starting new items and is re-raised
    here; an item that finds `cancel` set raises `Cancelled`.
    """
    items = list(items)
    cancel = cancel or threading.Event()
    if concurrency <= 1 or len(items) <= 1 or connection.in_atomic_block:
        results = []
        for item in items:
            if cancel.is_set():
                raise Cancelled
            results.append(fn(item))
            if on_result is not None:
                on_result(len(results), results[-1])
        return results

    run = _prepared(fn, translation.get_language())

    def guarded(item):
        if cancel.is_set():
            raise Cancelled
        try:
            return run(item)
        except BaseException:
            cancel.set()  # at once, in this thread: the items not started yet are skipped
            raise

    results: list = [None] * len(items)
    pool = ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="vf-pool")
    pending: dict[Future, int] = {
        pool.submit(contextvars.copy_context().run, guarded, item): index for index, item in enumerate(items)
    }
    done_count = 0
    error: BaseException | None = None  # the first real failure (a Cancelled only when there is none)
    try:
        while pending and (error is None or isinstance(error, Cancelled)):
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                failure = future.exception()
                if failure is not None:
                    if error is None or (isinstance(error, Cancelled) and not isinstance(failure, Cancelled)):
                        error = failure
                    continue
                results[index] = future.result()
                done_count += 1
                if on_result is not None:
                    on_result(done_count, results[index])
        if error is not None:
            raise error
    except BaseException:
        cancel.set()  # a failure or an interruption (time limit): the other items stop too
        pool.shutdown(wait=False, cancel_futures=True)  # busy threads end after their current call
        raise
    pool.shutdown(wait=True)
    return results
