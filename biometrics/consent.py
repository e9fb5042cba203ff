"""The consent text the member agrees to. A change of wording is a new version: old consents stay
valid for the version they were given for, and the current version is what new consents record.

2026-12: says where face data is processed and kept and for how long (PIPL art. 29; China's 2025
face-recognition measures), and that the ID check instead is done by a remote operator.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-12"

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
        "Where your face data is processed and kept: only on the store's own servers, never on the "
        "kiosk and never sent to anyone else. Your template is kept encrypted; the kiosk's photos are "
        "kept encrypted, out of any web address, for the few seconds of the decision (if you dispute "
        "a decision, until the dispute is closed and for at most 30 days)."
    ),
    _(
        "How long: your template is deleted 30 days after your last test drive ends, or at once if "
        "you withdraw this consent or close your account."
    ),
    _(
        "This consent is separate from our terms and optional: without it you can still book, and "
        "at pickup a remote operator checks your driving licence and ID card instead."
    ),
]
