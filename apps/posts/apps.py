from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "apps.posts"
    label = "posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        # tasks: its actors join the broker now, so apps.planning can enqueue them by name.
        from apps.posts import dashboard, tasks  # noqa: F401

        dashboard.register()
