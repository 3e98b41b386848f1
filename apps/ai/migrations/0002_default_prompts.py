from django.db import migrations


def install(apps, schema_editor):
    from apps.ai.default_prompts import install_default_prompts

    install_default_prompts(apps.get_model("ai", "PromptTemplate"))


def uninstall(apps, schema_editor):
    from apps.ai.default_prompts import DEFAULT_PROMPTS

    PromptTemplate = apps.get_model("ai", "PromptTemplate")
    PromptTemplate.objects.filter(organization__isnull=True, key__in=list(DEFAULT_PROMPTS), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("ai", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
