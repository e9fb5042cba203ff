"""Why a snap-a-car photo is refused; the API answers 400 with ``code``, the portal shows the text."""

from django.utils.translation import gettext_lazy as _

from vendingstore.api_errors import ApplicationError


class PhotoRefused(ApplicationError):
    status_code = 400


class PhotoTooLarge(PhotoRefused):
    code = "photo_too_large"
    default_message = _("This photo is too large. Please send a photo under 12 MB and 50 megapixels.")


class PhotoUnreadable(PhotoRefused):
    code = "photo_unreadable"
    default_message = _("We could not read this file as a photo. Please send a JPEG, PNG or WebP picture.")


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
