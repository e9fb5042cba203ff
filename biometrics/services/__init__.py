"""Everything that changes biometric data: consent, enrolment, pickup verification, retention."""

from biometrics.services.consent import consent_give, consent_withdraw
from biometrics.services.disputes import (
    face_attempt_dispute_close,
    face_attempts_dispute_open,
    face_frames_sweep,
)
from biometrics.services.enrolment import (
    face_enrol,
    face_enrol_decide,
    face_enrolments_requeue_stale,
    face_template_delete,
)
from biometrics.services.pickup import face_attempt_start, face_attempts_requeue_stale, face_verify_pickup
from biometrics.services.recovery import face_attempts_nudge
from biometrics.services.retention import biometrics_retention_sweep, face_template_used

__all__ = [
    "biometrics_retention_sweep",
    "consent_give",
    "consent_withdraw",
    "face_attempt_dispute_close",
    "face_attempt_start",
    "face_attempts_dispute_open",
    "face_attempts_nudge",
    "face_attempts_requeue_stale",
    "face_enrol",
    "face_enrol_decide",
    "face_enrolments_requeue_stale",
    "face_frames_sweep",
    "face_template_delete",
    "face_template_used",
    "face_verify_pickup",
]
