from django.db import migrations


def install(apps, schema_editor):
    from apps.compliance.default_rules import install_default_rule_set

    install_default_rule_set(apps.get_model("compliance", "RuleSet"), apps.get_model("compliance", "Rule"))


def uninstall(apps, schema_editor):
    from apps.compliance.default_rules import DEFAULT_RULE_SET_NAME

    RuleSet = apps.get_model("compliance", "RuleSet")
    RuleSet.objects.filter(organization__isnull=True, name=DEFAULT_RULE_SET_NAME, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
