"""Client reviewers become guests: a viewer membership that only carried a project's review grant let the
client see every project of the organization. Viewers holding a review grant lose the membership and keep
the grant (so they see the granted projects' review pages only); editors and above keep both."""

from django.db import migrations


def forwards(apps, schema_editor):
    grants = apps.get_model("projects", "ProjectUserObjectPermission")
    memberships = apps.get_model("orgs", "Membership")
    users = apps.get_model("accounts", "User")
    for grant in grants.objects.filter(permission__codename="review_project").select_related("content_object"):
        org_id = grant.content_object.organization_id
        membership = memberships.objects.filter(organization_id=org_id, user_id=grant.user_id, role="viewer").first()
        if membership is None:
            continue
        membership.delete()
        users.objects.filter(id=grant.user_id, last_organization_id=org_id).update(last_organization=None)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0005_client_review"),
        ("projects", "0001_initial"),
        ("orgs", "0001_initial"),
        ("accounts", "0002_initial"),
        ("guardian", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
