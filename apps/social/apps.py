from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "apps.social"
    label = "social"
    verbose_name = _("Social accounts")

    def ready(self) -> None:
        # Imported here: models may only be imported once the app registry is ready.
        from apps.credentials.actions import register_encrypted_model
        from apps.social import reasons  # noqa: F401  (declares the reason codes)
        from apps.social.models import OAuthToken

        # `rotate_credentials` and the nightly job re-encrypt OAuth tokens with the provider keys.
        register_encrypted_model(OAuthToken)
        from apps.jobs import kinds

        kinds.register(
            {
                "refresh_account_token": _("Refresh an account's token"),
                "refresh_expiring_tokens": _("Refresh expiring tokens"),
                "publish_post": _("Publish a post to TikTok"),
                "publish_tick": _("Publish the posts that are due"),
            }
        )
        import dramatiq

        from apps.social.publish.warmup import WarmUpMiddleware

        dramatiq.get_broker().add_middleware(WarmUpMiddleware())
        from apps.posts import editor_tabs

        editor_tabs.add_tab(editor_tabs.Tab("publish", 70, _("Publish"), "post_tab_publish"))
