"""Every Dramatiq queue an actor sends to is consumed by a process of the Procfile (else its jobs wait forever)."""

import re
from pathlib import Path

import dramatiq

PROCFILE = Path(__file__).resolve().parent.parent / "Procfile"


def _consumed_queues() -> set[str]:
    queues = set()
    for line in PROCFILE.read_text().splitlines():
        match = re.search(r"rundramatiq .*--queues ((?:[\w-]+ ?)+)", line)
        if match:
            queues |= set(match.group(1).split())
    return queues


def test_every_actor_queue_has_a_consumer():
    import apps.media.tasks  # noqa: F401 - actors register on import
    import apps.social.publish.tasks  # noqa: F401

    broker = dramatiq.get_broker()
    used = {broker.get_actor(name).queue_name for name in broker.get_declared_actors()}
    assert used, "no actors declared"
    assert used - _consumed_queues() == set()
