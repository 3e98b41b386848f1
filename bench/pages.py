"""Org pages against a trivial view on the same server: `python -m bench.pages [--members N] [--repeat N]`.

Prints p95 of the members page and the dashboard, and each as a ratio to /healthz
measured in the same run (the machines are shared and noisy).
"""

import argparse
import uuid

from bench.common import emit, p95_ms, setup_django, time_calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    tag = uuid.uuid4().hex[:8]
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    users = [User.objects.create_user(email=f"bench-{tag}-{i}@bench.invalid") for i in range(args.members)]
    try:
        Membership.objects.bulk_create(
            [
                Membership(organization=org, user=u, role=Role.OWNER if i == 0 else Role.EDITOR)
                for i, u in enumerate(users)
            ]
        )
        client = Client()
        client.force_login(users[0])
        trivial = p95_ms(time_calls(lambda: client.get("/healthz"), args.repeat))
        members = p95_ms(time_calls(lambda: client.get(f"/o/{org.slug}/members/"), args.repeat))
        dashboard = p95_ms(time_calls(lambda: client.get(f"/o/{org.slug}/"), args.repeat))
        emit("pages", "trivial_p95_ms", trivial, "ms")
        emit("pages", "members_p95_ms", members, "ms")
        emit("pages", "members_ratio_to_trivial", members / trivial, "ratio")
        emit("pages", "dashboard_p95_ms", dashboard, "ms")
        emit("pages", "dashboard_ratio_to_trivial", dashboard / trivial, "ratio")
    finally:
        org.delete()
        User.objects.filter(email__startswith=f"bench-{tag}-").delete()


if __name__ == "__main__":
    main()
