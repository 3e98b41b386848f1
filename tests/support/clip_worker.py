"""A real Dramatiq worker process on the `media` queue, for the test that kills one (SIGKILL).

    python -m tests.support.clip_worker <test database name>

It uses the test settings and the caller's environment (Redis namespace, provider URLs), prints
"ready" once it consumes, and runs until it is killed.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

import dramatiq  # noqa: E402
from django.db import connections  # noqa: E402


def main(database: str) -> None:
    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = database  # the dict every thread's connection is made from
    from apps.media import tasks  # noqa: F401  (the actors)

    worker = dramatiq.Worker(dramatiq.get_broker(), queues={"media"}, worker_threads=1, worker_timeout=50)
    worker.start()
    print("ready", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1])
