from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from apps.accounts import login_limits

PRODUCT_NAME = "ViralForge"


@dataclass(frozen=True)
class ProductSite:
    """What allauth's mails call "the site": our name, the host the person used (without the Sites framework
    allauth would name the site after its host, "Hello from 127.0.0.1:8100!")."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        domain = get_current_site(request).domain if request is not None else ""
        super().send_mail(template_prefix, email, {**context, "current_site": ProductSite(PRODUCT_NAME, domain)})

    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language the person signed up in.
        user.language = translation.get_language() or ""
        return super().save_user(request, user, form, commit)

    def pre_authenticate(self, request, **credentials):
        # Only this IP is refused for this account (login_limits); allauth's account-wide limit is off.
        login = credentials.get("email", "")
        if login and login_limits.pair_locked(request, login):
            # Still a failed attempt from this IP: guessing on against a locked pair counts towards the IP block.
            login_limits.record_failure(request, login)
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials):
        login_limits.record_failure(request, credentials.get("email", ""))
        super().authentication_failed(request, **credentials)
