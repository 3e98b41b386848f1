"""Test databases: rows shared by one module's tests, the flush after transactional tests, migrating once."""

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction


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


def _migrations_digest() -> str:
    """What the migrated schema depends on: every migration file of the project and the pinned packages."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256((root / "requirements.txt").read_bytes())
    for path in sorted(root.glob("apps/*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def migrated_from_template(connection, keepdb: bool):
    """Around `setup_databases(keepdb=True)`: every xdist worker used to run all migrations into its own
    test database at once (four migrates competing for two cores). Now the first worker migrates and
    copies its fresh database to a template named after the migrations; the others wait for it (an
    advisory lock) and start from a copy, so their `migrate` has nothing left to do. A changed migration
    or requirement makes a new template (older ones of this run name are dropped)."""
    name = connection.creation._get_test_db_name()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    run = name.removesuffix(f"_{worker}") if worker else name
    template = f"{run}_tpl_{_migrations_digest()}"
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname IN (%s, %s)", [name, template])
        existing = {row[0] for row in cursor.fetchall()}
        if keepdb and name in existing:  # --reuse-db: the database as the last run left it
            yield
            return
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [run])
        try:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone():
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
                yield
                return
            yield  # setup_databases creates and migrates the test database
            connections.close_all()
            cursor.execute("SELECT datname FROM pg_database")
            for stale in [row[0] for row in cursor.fetchall() if row[0].startswith(f"{run}_tpl_")]:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
            cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [run])
