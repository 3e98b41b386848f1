from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "apps.posts"
    label = "posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        # tasks: its actors join the broker now, so apps.planning can enqueue them by name.
        from django.urls import reverse

        from apps.orgs.home import register
        from apps.posts import dashboard, tasks, usage_sources  # noqa: F401
        from apps.posts.editor_tabs import register_editor_tabs
        from apps.posts.review_access import granted_projects

        dashboard.register()
        usage_sources.register()
        register_editor_tabs()
        # A guest reviewer has no membership: the start page sends them to the projects they review.
        register(lambda user: reverse("guest_home") if granted_projects(user) else None)
        from apps.jobs import kinds
        from apps.posts import reasons  # noqa: F401  (declares the reason codes)

        kinds.register(
            {
                "generate_month_plan": _("Generate the month plan"),
                "month_plan_retries_exhausted": _("Month plan failed"),
            }
        )
