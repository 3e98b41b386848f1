"""Users and members for tests: a verified e-mail address and one known password."""

from allauth.account.models import EmailAddress

from apps.orgs.models import Membership, Organization

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
