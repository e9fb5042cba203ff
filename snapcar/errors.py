"""Why a snap-a-car photo is refused; the API answers 400 with ``code``, the portal shows the text.

A file that is too large or not a picture is refused by ``vendingstore.uploads`` (``PhotoRefused``).
"""

from django.utils.translation import gettext_lazy as _

from vendingstore.api_errors import ApplicationError
from vendingstore.uploads import PhotoRefused


class NoCarInPhoto(PhotoRefused):
    code = "no_car"
    default_message = _(
        "We could not find a car in this photo. Please photograph the whole car, from a little further away."
    )


class SnapcarUnavailable(ApplicationError):
    """The image model was never exported on this machine: an operator's job, not the customer's."""

    status_code = 503
    code = "snapcar_unavailable"
    default_message = _("Photo search is not available right now. Please try again later.")
