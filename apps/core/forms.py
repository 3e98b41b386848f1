"""Form helpers the apps' views share."""

from django.utils.translation import gettext as _


def first_error(form) -> str:
    """The form's first error message (for a one-line error in place), else a general one."""
    for errors in form.errors.values():
        return str(errors[0])
    return _("Please correct the errors below.")
