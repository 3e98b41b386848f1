"""The periodic-job scheduler's Redis lock, kept across stalls.

dramatiq-crontab's own `crontab` command exits when its lock expired (a laptop that slept, a
paused VM: "The lock is no longer owned by the scheduler. Shutting down."), and under honcho one
process ending stops them all. Here the lock is kept by a thread: while owned it is extended;
once lost, the scheduler pauses (so two schedulers never run the same jobs) and the keeper waits
and takes the lock again as soon as it is free, then resumes. Every change is one log line.
"""

import logging
import threading

from apps.core import clock

logger = logging.getLogger("viralforge.scheduler")


class LockKeeper:
    def __init__(self, lock, scheduler, *, timeout: float, refresh: float):
        self.lock, self.scheduler = lock, scheduler
        self.timeout, self.refresh = timeout, refresh
        self.owned = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> bool:
        from redis.exceptions import LockError

        try:
            self.owned = bool(self.lock.acquire(blocking=False))
        except LockError:
            self.owned = False
        return self.owned

    def tick(self) -> bool:
        """Extend the lock, or notice it is lost and try to take it back. Returns whether it is ours."""
        from redis.exceptions import LockError

        if self.owned:
            try:
                self.lock.extend(self.timeout, replace_ttl=True)
                return True
            except LockError:
                self.owned = False
                self.scheduler.pause()
                logger.warning("The scheduler lost its lock (was the process paused?); jobs wait until it is back.")
        if self.acquire():
            self.scheduler.resume()
            logger.warning("The scheduler has its lock again; jobs run.")
        return self.owned

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler-lock", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            clock.sleep(self.refresh)
            if not self._stop.is_set():
                self.tick()

    def stop(self) -> None:
        self._stop.set()
        from redis.exceptions import LockError

        if self.owned:
            try:
                self.lock.release()
            except LockError:
                logger.info("The scheduler's lock had expired already; nothing to release.")
            self.owned = False
