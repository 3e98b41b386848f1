import dramatiq
import pytest
from allauth.account.models import EmailAddress

from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, **extra):
    from apps.accounts.models import User

    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_member(org: Organization, email: str, role: str):
    user = make_user(email)
    Membership.objects.create(organization=org, user=user, role=role)
    return user


@pytest.fixture
def org(db):
    return Organization.objects.create(name="Alpha Agency", slug="alpha")


@pytest.fixture
def other_org(db):
    return Organization.objects.create(name="Beta Agency", slug="beta")


@pytest.fixture
def owner(org):
    return make_member(org, "owner@alpha.test", Role.OWNER)


@pytest.fixture
def admin_user(org):
    return make_member(org, "admin@alpha.test", Role.ADMIN)


@pytest.fixture
def editor(org):
    return make_member(org, "editor@alpha.test", Role.EDITOR)


@pytest.fixture
def viewer(org):
    return make_member(org, "viewer@alpha.test", Role.VIEWER)


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
