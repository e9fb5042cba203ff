"""Signals biometrics sends. Biometrics decides faces; what a decision means for a booking is
the receiver's business (testdrives moves the booking), so biometrics knows no bookings' states."""

from django.dispatch import Signal

# A pickup attempt is decided. Sent inside the deciding transaction, with the attempt locked, once
# per attempt (a redelivered task finds it decided and sends nothing). Keyword arguments:
# ``attempt_id``, ``booking_id`` (the test drive's id), ``verdict`` (an ``AttemptResult``: match,
# no_match, spoof, retake, no_template), ``reason`` (a short code) and ``note`` (for the record).
face_attempt_decided = Signal()
