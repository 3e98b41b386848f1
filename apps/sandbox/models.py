from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxCall(models.Model):
    """One request a sandbox stand-in received: lets tests prove a call was (or was not) made.

    Never stores a key: only a SHA-256 digest of the Authorization header, and a few harmless
    headers (attribution, content type). `body` is the JSON body of a POST (any occurrence of the
    bearer key scrubbed), `fault` the sandbox fault that was injected, if any.
    """

    service = models.CharField(_("service"), max_length=40, db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"))
    auth_digest = models.CharField(_("Authorization digest"), max_length=64, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    body = models.JSONField(_("body"), null=True, blank=True)
    fault = models.CharField(_("injected fault"), max_length=40, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox call")
        verbose_name_plural = _("sandbox calls")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path} → {self.status}"
