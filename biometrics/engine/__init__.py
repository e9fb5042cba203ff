"""The face engine (DESIGN.md §5): quality gate, embeddings, 1:1 comparison and liveness.

Use it through biometrics' services only. Everything here is pure computation on images: no
database, no storage of pictures. Models load once per process (``warm_up``).
"""

from .embedding import Comparison, Embedding, Frame, compare, embed, frame_of, threshold_for
from .images import ImageInput
from .liveness import (
    AntiSpoofResult,
    AntiSpoofStatus,
    ChallengeCode,
    ChallengeKind,
    ChallengeResult,
    burst_follow,
    check_antispoof,
    check_challenge,
)
from .quality import MESSAGES, FaceRefused, QualityCode
from .warmup import models_load, warm_up

__all__ = [
    "MESSAGES",
    "AntiSpoofResult",
    "AntiSpoofStatus",
    "ChallengeCode",
    "ChallengeKind",
    "ChallengeResult",
    "Comparison",
    "Embedding",
    "FaceRefused",
    "Frame",
    "ImageInput",
    "QualityCode",
    "burst_follow",
    "check_antispoof",
    "check_challenge",
    "compare",
    "embed",
    "frame_of",
    "models_load",
    "threshold_for",
    "warm_up",
]
