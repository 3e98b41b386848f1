"""Rows shared by the tests of one module: built once, rolled back at the end."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def module_transaction(django_db_blocker):
    """Inside: one open transaction the module's tests nest in (each in its own savepoint, as in a
    TestCase, so the actions' durable blocks work), rolled back when the block ends."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
