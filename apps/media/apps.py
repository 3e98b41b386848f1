from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "apps.media"
    label = "media"
    verbose_name = _("Media")

    def ready(self) -> None:
        # reasons: the reason codes are defined at import; signals: files are deleted after the commit.
        from apps.media import dashboard, reasons, signals  # noqa: F401

        dashboard.register()
        from apps.jobs import kinds

        kinds.register(
            {
                "notify_expiring_assets": _("Warn about expiring assets"),
                "produce_post": _("Render the post's video"),
                "render_retries_exhausted": _("Video render failed"),
                "media_advance_clip": _("Generate a video clip"),
                "media_resume_stalled_clips": _("Resume stalled video clips"),
                "media_sweep_render_cache": _("Prune the render cache"),
            }
        )
        from apps.media.clips import views as clip_views

        clip_views.register()
        from apps.media import views_voice

        views_voice.register()
        from apps.posts import editor_tabs

        editor_tabs.add_tab(editor_tabs.Tab("video", 50, _("Video"), "post_video"))
