"""A thread pool for independent I/O-bound calls (agent calls, HTTP) that keeps the caller's setup.

    results = threads.map(fn, items, concurrency=8, on_result=progress, cancel=event)

Each worker thread runs in a copy of the caller's context variables (request id, job id) and
the caller's active language, and closes its database connections when it ends. Inside a
transaction everything runs in the calling thread: other connections would not see its
uncommitted rows.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections
from django.utils import translation


class Cancelled(Exception):
    """`cancel` was set (by another failure, say) before every item was done."""


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
    The first exception sets `cancel`, stops the threads from taking new items and is re-raised
    here; when `cancel` is set from outside, `Cancelled` is raised.
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

    todo: queue.SimpleQueue = queue.SimpleQueue()
    for index, item in enumerate(items):
        todo.put((index, item))
    done: queue.SimpleQueue = queue.SimpleQueue()
    language = translation.get_language()  # Django's active language is not a context variable

    def work() -> None:
        # One loop per thread, so a thread keeps its database connection from item to item.
        try:
            with translation.override(language):
                while not cancel.is_set():
                    try:
                        index, item = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        done.put((index, fn(item), None))
                    except BaseException as exc:  # handed to the calling thread, which re-raises it
                        cancel.set()
                        done.put((index, None, exc))
                        return
        finally:
            connections.close_all()

    threads = min(concurrency, len(items))
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="vf-pool")
    workers = [pool.submit(contextvars.copy_context().run, work) for _ in range(threads)]
    results: list = [None] * len(items)
    received = 0
    try:
        while received < len(items):
            try:
                index, value, error = done.get(timeout=0.2)
            except queue.Empty:
                if all(worker.done() for worker in workers) and done.empty():
                    raise Cancelled from None  # every thread stopped early: `cancel` was set
                continue
            if error is not None:
                raise error
            results[index] = value
            received += 1
            if on_result is not None:
                on_result(received, value)
    except BaseException:
        cancel.set()  # a failure or an interruption (time limit): the other threads stop too
        pool.shutdown(wait=False)  # busy threads end after their current item
        raise
    pool.shutdown(wait=True)
    return results
