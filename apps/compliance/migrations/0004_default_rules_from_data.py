from django.db import migrations


def sync(apps, schema_editor):
    from apps.compliance.ruledata import sync_default_rule_set

    sync_default_rule_set(apps.get_model("compliance", "RuleSet"), apps.get_model("compliance", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_rule_data")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
