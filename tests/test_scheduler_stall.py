"""Issue 16, item 12: `make run` survives a stall. The scheduler, paused (SIGSTOP) past its Redis
lock's lifetime, pauses its jobs, takes the lock back and carries on instead of exiting; and a
process of the Procfile that ends is started again (scripts/respawn.sh) instead of taking the others down."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class _Output:
    """Lines a child writes (stdout and stderr together), read without blocking."""

    def __init__(self, process):
        import threading

        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)


def test_scheduler_takes_its_lock_back_after_a_stall():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "REDIS_URL": settings.REDIS_URL,
        "VF_SCHEDULER_LOCK_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("dramatiq-scheduler")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "scheduler"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = _Output(process)
    try:
        assert _wait_for(lambda: output.has("Scheduler started"), 30), output.lines
        assert client.get("dramatiq-scheduler")
        process.send_signal(signal.SIGSTOP)  # the machine pauses…
        assert _wait_for(lambda: client.get("dramatiq-scheduler") is None, 5)  # …past the lock's lifetime
        process.send_signal(signal.SIGCONT)
        assert _wait_for(lambda: output.has("has its lock again"), 10), output.lines
        assert output.has("lost its lock")
        time.sleep(1.5)  # more than the lock's lifetime: it is extended again, the process lives on
        assert process.poll() is None, output.lines
        assert client.get("dramatiq-scheduler")
        assert not output.has("Shutting down")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert _wait_for(lambda: client.get("dramatiq-scheduler") is None, 3)  # released on the way out


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_respawn_starts_an_ended_process_again_and_stops_on_signal(stop):
    process = subprocess.Popen(
        ["scripts/respawn.sh", "demo", "sh", "-c", "echo started; exit 3"],
        cwd=REPO,
        env={**os.environ, "VF_RESPAWN_DELAY": "0.2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = _Output(process)
    try:
        assert _wait_for(lambda: sum("started" in line for line in output.lines) >= 2, 10), output.lines
        assert output.has("demo ended (exit code 3); starting it again")
        assert process.poll() is None
    finally:
        process.send_signal(stop)
        assert process.wait(timeout=5) == 0
