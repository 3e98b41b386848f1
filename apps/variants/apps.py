from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VariantsConfig(AppConfig):
    name = "apps.variants"
    label = "variants"
    verbose_name = _("Caption variants")

    def ready(self) -> None:
        from apps.posts import editor_tabs
        from apps.variants import reasons, tasks  # noqa: F401  (reason codes and actors register at import)

        editor_tabs.add_tab(editor_tabs.Tab("variants", 60, _("Variants"), "post_tab_variants"))
        from apps.jobs import kinds

        kinds.register(
            {
                "generate_variants": _("Write caption variants"),
                "variants_retries_exhausted": _("Caption variants failed"),
            }
        )
