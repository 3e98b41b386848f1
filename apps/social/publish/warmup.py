"""A fresh worker process warms the policy check up right after boot, in the background.

The first policy check in a process loads the lemmatizer's dictionaries: 8–17 s of CPU on two busy
cores. The publishing gates run that check before `init`, so without this the first posts a new (or
restarted) worker takes would start that much after their slot.
"""

import logging
import threading

from dramatiq import Middleware

logger = logging.getLogger("viralforge.publish")


def warm_up() -> None:
    from apps.compliance.lexical import LANGUAGES, tokenize

    try:
        for language in LANGUAGES:
            tokenize("Warming up the policy check", language)
    except Exception:  # a cold first check is slow, not wrong
        logger.exception("Warming up the policy check failed.")


class WarmUpMiddleware(Middleware):
    def after_worker_boot(self, broker, worker):
        threading.Thread(target=warm_up, name="viralforge-warm-up", daemon=True).start()
