import logging

import dramatiq
import pytest
from django.conf import settings

from apps.orgs.models import Organization
from apps.orgs.roles import Role
from tests.support.accounts import make_member


def pytest_sessionstart(session):
    """The embedded Postgres and Redis (the settings only name them); each xdist worker may ask."""
    from viralforge import embedded

    embedded.start_configured()


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """The test database after `migrate` (copied from a template one worker migrated, see
    tests/support/db.py), with the defaults `manage.py ensure_defaults` seeds. pytest-django's own
    fixture, but for the template."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.support.db import install_fast_flush, migrated_from_template

    keepdb = django_db_keepdb and not django_db_createdb
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        with migrated_from_template(connection, keepdb):
            db_cfg = setup_databases(verbosity=verbosity, interactive=False, keepdb=True)
        call_command("ensure_defaults", verbosity=0)
        install_fast_flush()
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and flags in the cache (allauth's e-mail limits, say) must not leak between tests or runs."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _real_clock():
    """A test that froze or moved `apps.core.clock` must not leave it so for the next one."""
    from apps.core import clock

    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _no_sandbox_faults_left():
    """Sandbox faults live in Redis for every process: a test that switched them on must not leave them on
    for the next test on this worker (e.g. the endpoint matrix's Veo calls answering 429)."""
    yield
    from apps.sandbox.faults import clear_faults

    for service in ("openrouter", "veo", "kling", "elevenlabs", "tiktok"):
        clear_faults(service)


@pytest.fixture(autouse=True)
def _default_language():
    """A German request through the test client leaves German active in this thread (LocaleMiddleware
    activates, nothing deactivates): every test starts in the default language."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org(db):
    return Organization.objects.create(name="Alpha Agency", slug="alpha")


@pytest.fixture
def other_org(db):
    return Organization.objects.create(name="Beta Agency", slug="beta")


def _member_of_org(name: str, role: str):
    """A fixture: a member of `org` with that role (e-mail `<name>@alpha.test`)."""

    @pytest.fixture(name=name)
    def member(org):
        return make_member(org, f"{name.removesuffix('_user')}@alpha.test", role)

    return member


owner = _member_of_org("owner", Role.OWNER)
admin_user = _member_of_org("admin_user", Role.ADMIN)
editor = _member_of_org("editor", Role.EDITOR)
viewer = _member_of_org("viewer", Role.VIEWER)


@pytest.fixture
def outsider(other_org):
    """Owner of another organization: must see nothing of `org`."""
    return make_member(other_org, "owner@beta.test", Role.OWNER)


@pytest.fixture
def client_for(client):
    """`client_for(user)` → a test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


@pytest.fixture
def worker(broker, transactional_db):
    """A real Dramatiq worker on the real (embedded) Redis, in this process."""
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def _chromium():
    """One Playwright and one Debian Chromium per test process (xdist worker), started by its first browser
    test: starting both took 2–8 s per test. Each page still gets a fresh browser context (no cookies,
    storage or cache shared between tests), closed after its test.

    Playwright's sync API keeps an event loop marked as running in this thread while it is started, so
    from then on Django's async-safety check must be off in this process (the product has no async code)."""
    import os
    from pathlib import Path

    from django.db import connections
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it with apt"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    launched = {}

    def chromium():
        if "browser" not in launched or not launched["browser"].is_connected():  # a crashed one is replaced
            launched["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return launched["browser"]

    yield chromium
    # Connections opened while Playwright's loop ran belong to it: close them before it stops, or the
    # test database cannot be dropped at the end of the session.
    connections.close_all()
    if "browser" in launched:
        launched["browser"].close()
    playwright.stop()


@pytest.fixture
def browser(live_server, _chromium):
    """`browser(user=None, width=1400, height=1000, timeout_ms=15_000)` → a Playwright page in Debian's
    Chromium (a fresh context of this worker's browser), signed in as `user` when given. Every context is
    closed after the test.

    The site's Content-Security-Policy is enforced as in production: every `securitypolicyviolation`
    event of any page, and every report the CSP report view logs, fails the test at the end. So wait with
    `expect(...)` or locators, not `page.wait_for_function("…")`: Playwright evaluates that string with
    `eval` in the page, which the policy blocks."""
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    contexts = []
    violations = []
    reports = _CspReportCollector()
    logging.getLogger("viralforge.csp").addHandler(reports)

    def open_page(user=None, *, width: int = 1400, height: int = 1000, timeout_ms: int = 15_000):
        context = _chromium().new_context(locale="en-US", viewport={"width": width, "height": height})
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        context.expose_function("__vfCspViolation", lambda text: violations.append(text))
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        # Shared by every page of the test and checked at the end (a test that provokes one clears them).
        page.csp_violations, page.csp_reports = violations, reports.messages
        return page

    yield open_page
    logging.getLogger("viralforge.csp").removeHandler(reports)
    connections.close_all()
    for context in contexts:
        context.close()
    assert not violations, f"Content-Security-Policy violations in the browser: {violations}"
    assert not reports.messages, f"CSP violation reports: {reports.messages}"


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const element = event.target instanceof Element ? event.target.outerHTML.slice(0, 120) : "";
  const where = `${event.sourceFile}:${event.lineNumber} ${element}`;
  window.__vfCspViolation(`${event.violatedDirective} blocked ${event.blockedURI} at ${where}`);
});
"""


class _CspReportCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())
