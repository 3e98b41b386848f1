from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"
    verbose_name = _("Jobs")

    def ready(self) -> None:
        # Imported here, not at the top: models may be imported only once the app registry is ready.
        from apps.jobs.models import JobRun
        from apps.orgs.extensions import add_dashboard_context

        add_dashboard_context(lambda request: {"recent_jobs": JobRun.objects.for_org(request.org)[:5]})
        from apps.jobs import kinds

        kinds.register({"worker_heartbeat": _("Worker heartbeat")})
