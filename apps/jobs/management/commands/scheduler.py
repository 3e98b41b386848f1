"""`manage.py scheduler`: dramatiq-crontab's periodic jobs, with a lock that survives stalls (see
apps.jobs.scheduler_lock). Waits while another scheduler holds the lock instead of exiting."""

import importlib
import logging
import signal

from django.apps import apps
from django.core.management import BaseCommand

from apps.core import clock
from apps.jobs.scheduler_lock import LockKeeper

logger = logging.getLogger("viralforge.scheduler")


def _stop(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        from dramatiq_crontab import conf, scheduler, utils

        for app in apps.get_app_configs():
            if app.name != "dramatiq_crontab":
                try:
                    importlib.import_module(f"{app.name}.tasks")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app.name}.tasks":
                        raise
        importlib.import_module("dramatiq_crontab.tasks")  # its heartbeat
        for name in ("SIGHUP", "SIGTERM", "SIGINT"):
            signal.signal(getattr(signal, name), _stop)
        settings = conf.get_settings()
        if isinstance(utils.lock, utils.FakeLock):
            keeper = None
        else:
            keeper = LockKeeper(
                utils.lock, scheduler, timeout=settings.LOCK_TIMEOUT, refresh=settings.LOCK_REFRESH_INTERVAL
            )
        try:
            if keeper is not None:
                while not keeper.acquire():
                    logger.info("Another scheduler holds the lock; waiting.")
                    clock.sleep(settings.LOCK_REFRESH_INTERVAL)
                keeper.start()
            logger.info("Scheduler started.")
            scheduler.start()
        except KeyboardInterrupt as stop:
            logger.info("Scheduler stopping (%s).", stop)
            if scheduler.running:
                scheduler.shutdown(wait=False)
        finally:
            if keeper is not None:
                keeper.stop()
