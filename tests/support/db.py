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


# The rows `post_migrate` inserts again after Django's flush (its receivers here: contenttypes', auth's and
# guardian's cache reset), and a fingerprint of them that shows whether a test changed them.
_KEPT = ("django_content_type", "auth_permission")
_FINGERPRINT = """
SELECT (SELECT md5(coalesce(string_agg(concat_ws('|', id, app_label, model), ',' ORDER BY id), ''))
          FROM django_content_type),
       (SELECT md5(coalesce(string_agg(concat_ws('|', id, content_type_id, codename, name), ',' ORDER BY id), ''))
          FROM auth_permission)"""


def _fingerprint(connection) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT)
        return tuple(cursor.fetchone())


def install_fast_flush() -> None:
    """After each transactional test Django truncates every table and emits `post_migrate`, which inserts
    the content types and permissions again: 0.5–1 s per test on 2 quiet cores (4–5 s on a loaded machine),
    most of it the signal. Instead every table is emptied with DELETE (the foreign keys are deferrable)
    except those two, whose rows are the ones the signal would insert as long as no test changed them:
    the same database, for a fraction of the time. When a test did change them (their fingerprint
    differs from the one after the last full flush or `migrate`), or the DELETEs fail, Django's flush runs."""
    from django.core.management import call_command
    from django.db import DatabaseError, connections
    from django.test import TransactionTestCase

    django_teardown = TransactionTestCase._fixture_teardown
    expected = {}  # database alias → fingerprint of the kept tables as `post_migrate` left them

    def fast_flush(connection) -> bool:
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                if expected.get(connection.alias) != _fingerprint(connection):
                    return False
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                quoted = [connection.ops.quote_name(table) for table in tables if table not in _KEPT]
                cursor.execute("".join(f"DELETE FROM {table};" for table in quoted))  # noqa: S608 (our table names)
        except DatabaseError:
            return False
        return True

    def _fixture_teardown(self):
        if self.available_apps is not None or self.serialized_rollback:
            return django_teardown(self)
        for alias in self._databases_names(include_mirrors=False):
            connection = connections[alias]
            if connection.vendor == "postgresql" and fast_flush(connection):
                continue
            call_command("flush", verbosity=0, interactive=False, database=alias, reset_sequences=False)
            expected[alias] = _fingerprint(connection)

    for alias in connections:  # called right after `migrate`: the rows as `post_migrate` made them
        if connections[alias].vendor == "postgresql":
            expected[alias] = _fingerprint(connections[alias])
    TransactionTestCase._fixture_teardown = _fixture_teardown
