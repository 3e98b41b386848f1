from django.db import transaction


@transaction.atomic
def do_set_language(user, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
