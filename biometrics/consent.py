"""The consent text the member agrees to. A change of wording is a new version: old consents stay
valid for the version they were given for, and the current version is what new consents record."""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-11"

CONSENT_PARAGRAPHS = [
    _(
        "To hand you a car without staff, our kiosk compares your face with a photo you take when "
        "you book. From that photo we compute a face template (numbers, not a picture) and delete "
        "the photo."
    ),
    _(
        "At pickup the kiosk photographs you, compares you with your own template only, and deletes "
        "that photo right after the decision. Each attempt is recorded with its result."
    ),
    _(
        "Your template is encrypted, never shared, and deleted 30 days after your last test drive "
        "ends, or at once if you withdraw this consent."
    ),
    _(
        "This consent is separate from our terms and optional: without it, staff check your driving "
        "licence and ID card at the store instead."
    ),
]
