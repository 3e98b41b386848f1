from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language the person signed up in.
        user.language = translation.get_language() or ""
        return super().save_user(request, user, form, commit)
