"""Liveness: is a live person in front of the camera, rather than a photo or a screen?

Two independent checks; a failure asks the customer to try again, it is not a verdict.

1. ``check_antispoof``: deepface's MiniFASNet on one frame (exported to ONNX at set-up and run
   with onnxruntime, ``antispoof.py``; no PyTorch at run time). Catches a printed
   photo or a phone/tablet screen held to the camera, from texture, moiré and frame edges.
   It does not stop a good mask, a high-quality large print in good light, or a replay whose
   border stays outside the frame; it also rejects some real faces (one real press photo in
   DESIGN.md's trial). Unavailable, never crashing, when its networks were not exported here.
2. ``check_challenge``: a short burst of frames in which the customer blinks or turns the head,
   measured with dlib's 68 landmarks on one face followed from frame to frame (``tracking.py``),
   and the frames that show the movement embedded: they must be the member. Stops a still photo,
   a face swapped mid-burst and a movement shown by someone else. It does not stop a video replay
   of the member blinking or turning, nor a cut-out photo bent or tilted by hand to fake a turn:
   that is what check 1 is for.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from .antispoof import antispoof_model
from .embedding import Embedding, Frame, compare, frame_of
from .faces import mean_eye_aspect_ratio, yaw_ratio
from .images import ImageInput
from .quality import MIN_EYE_ASPECT_RATIO, FaceRefused
from .tracking import face_jump, frame_next
from .weights import ensure_antispoof_weights

# A burst shorter than this cannot show an open–closed–open blink.
MIN_FRAMES = 3
# Blink: a frame whose eye ratio falls to this fraction of the burst's open level, between frames
# at least OPEN_FRACTION of it. Relative, because open-eye ratios differ from person to person.
CLOSED_FRACTION = 0.6
OPEN_FRACTION = 0.8
# Head turn: the nose-between-eye-corners ratio must sweep this much (0.5 is facing the camera;
# a still photo varies by about 0.01 from frame to frame).
MIN_TURN_SPAN = 0.15


class AntiSpoofStatus(StrEnum):
    REAL = "real"
    FAKE = "fake"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class AntiSpoofResult:
    """MiniFASNet's verdict and its confidence in it (0.5–1.0); score is None when unavailable."""

    status: AntiSpoofStatus
    score: float | None = None


class ChallengeKind(StrEnum):
    BLINK = "blink"
    TURN = "turn"
    EITHER = "either"


class ChallengeCode(StrEnum):
    PASSED = "passed"
    TOO_FEW_FRAMES = "too_few_frames"
    FRAME_REFUSED = "frame_refused"
    FACE_MOVED = "face_moved"
    NO_MOVEMENT = "no_movement"
    IDENTITY_CHANGED = "identity_changed"


@dataclass(frozen=True)
class ChallengeResult:
    """Whether the burst showed the asked-for movement by one person; ``detail`` has the measures."""

    passed: bool
    code: ChallengeCode
    detail: dict[str, Any] = field(default_factory=dict)


def _fasnet() -> Any:
    """The anti-spoofing networks, loaded once per process (an object with deepface's ``analyze``)."""
    return antispoof_model()


def antispoof_load() -> bool:
    """Build the anti-spoofing network now (weights in place); False when it is unavailable.

    Builds without running it, so it is safe before a fork (``embedding.models_load``).
    """
    if not ensure_antispoof_weights():
        return False
    try:
        _fasnet()
    except (ImportError, ValueError):
        return False
    return True


def antispoof_warm_up(frame: Frame) -> None:
    """One untimed pass of the anti-spoofing network on ``frame``'s face (first-run costs)."""
    if antispoof_load():
        check_antispoof(frame)


def check_antispoof(image: ImageInput | Frame) -> AntiSpoofResult:
    """MiniFASNet on the one face of ``image``; UNAVAILABLE when its networks were never exported.

    Raises FaceRefused when the image fails the face count or size checks.
    """
    if not ensure_antispoof_weights():
        return AntiSpoofResult(AntiSpoofStatus.UNAVAILABLE)
    frame = frame_of(image)
    try:
        model = _fasnet()
    except (ImportError, OSError):  # onnxruntime absent, or a file removed since the check
        return AntiSpoofResult(AntiSpoofStatus.UNAVAILABLE)
    bgr = np.ascontiguousarray(frame.rgb[:, :, ::-1])
    is_real, score = model.analyze(bgr, frame.face.antispoof_area)
    return AntiSpoofResult(AntiSpoofStatus.REAL if is_real else AntiSpoofStatus.FAKE, float(score))


def blink_frames(eye_ratios: Sequence[float]) -> list[int]:
    """The frames of the first open → closed → open in the sequence (the open one, the most closed
    one, the open one after), or [] when the eyes never do that."""
    open_level = max(eye_ratios, default=0.0)
    if open_level < MIN_EYE_ASPECT_RATIO:
        return []  # never open: nothing to blink with
    opened: int | None = None
    closed: int | None = None
    for index, ratio in enumerate(eye_ratios):
        if ratio >= OPEN_FRACTION * open_level:
            if closed is not None and opened is not None:
                return [opened, closed, index]
            opened = index
        elif (
            ratio <= CLOSED_FRACTION * open_level
            and opened is not None
            and (closed is None or ratio < eye_ratios[closed])
        ):
            closed = index  # the most closed frame since the eyes were open
    return []


def blinked(eye_ratios: Sequence[float]) -> bool:
    """True when the eyes go open → closed → open within the sequence (ratios in frame order)."""
    return bool(blink_frames(eye_ratios))


def turn_frames(yaw_ratios: Sequence[float]) -> list[int]:
    """Two frames between which the head turned far enough, or [] when it never did.

    The first frame and the one farthest from it when that is far enough (the first frame is
    embedded anyway: one embedding fewer), else the frames of least and most yaw.
    """
    if not yaw_ratios or max(yaw_ratios) - min(yaw_ratios) < MIN_TURN_SPAN:
        return []
    farthest = max(range(len(yaw_ratios)), key=lambda i: abs(yaw_ratios[i] - yaw_ratios[0]))
    if abs(yaw_ratios[farthest] - yaw_ratios[0]) >= MIN_TURN_SPAN:
        return [0, farthest]
    return sorted({yaw_ratios.index(min(yaw_ratios)), yaw_ratios.index(max(yaw_ratios))})


def turned(yaw_ratios: Sequence[float]) -> bool:
    """True when the head turned far enough at some point of the burst."""
    return bool(turn_frames(yaw_ratios))


def movement_frames(kind: ChallengeKind, eye_ratios: list[float], yaws: list[float]) -> list[int]:
    """The frames that show the movement asked for ([] when none does): the ones whose identity
    must be the member's, or a movement made by someone else could pass for the member's."""
    turn = turn_frames(yaws) if kind != ChallengeKind.BLINK else []
    if turn:
        return turn
    return blink_frames(eye_ratios) if kind != ChallengeKind.TURN else []


def _same_identity(
    frames: list[Frame], indexes: list[int], reference: Embedding | None
) -> tuple[bool, float]:
    """Whether the frames at ``indexes`` (the first among them) all match ``reference``, else the
    first frame; the worst distance."""
    embeddings = [frames[i].embedding for i in indexes]
    anchor = reference or embeddings[0]
    comparisons = [compare(anchor, embedding) for embedding in embeddings]
    return all(c.match for c in comparisons), max(c.distance for c in comparisons)


def _follow(frames: Sequence[ImageInput | Frame]) -> tuple[list[Frame], FaceRefused | None]:
    """Each frame with its face, up to the first frame refused (then its refusal): the first frame
    searched in full, each later one followed from the one before (tracking.py), since the burst
    needs landmarks of the same face, not a full search of every frame. A Frame is taken as it is."""
    found: list[Frame] = []
    for frame in frames:
        try:
            found.append(frame_next(frame, found[-1]) if found else frame_of(frame))
        except FaceRefused as refused:
            return found, refused
    return found, None


def burst_follow(frames: Sequence[ImageInput | Frame]) -> list[ImageInput | Frame]:
    """The burst with its face followed as ``check_challenge`` follows it: a Frame for each frame
    up to the first one refused, that one and the rest as given.

    ``check_challenge`` decides on the result exactly as on the burst itself (it takes Frames as
    they are, and meets the same refusal again), so the following can run ahead of the decision,
    in another thread. Nothing is followed when the burst is too short for the challenge.
    """
    if len(frames) < MIN_FRAMES:
        return list(frames)
    found, _ = _follow(frames)
    return [*found, *frames[len(found) :]]


def check_challenge(
    frames: Sequence[ImageInput | Frame],
    *,
    kind: ChallengeKind = ChallengeKind.EITHER,
    reference: Embedding | None = None,
) -> ChallengeResult:
    """Check an active-liveness burst: one face per frame, each near the one before, the movement
    asked for, and the first frame and the frames showing the movement of one identity.

    ``reference`` (the booking's template) makes the identity check 1:1 against the member;
    without it those frames only have to agree with the first.
    """
    if len(frames) < MIN_FRAMES:
        return ChallengeResult(False, ChallengeCode.TOO_FEW_FRAMES, {"frames": len(frames)})
    found, refused = _follow(frames)
    if refused is not None:
        return ChallengeResult(
            False, ChallengeCode.FRAME_REFUSED, {"frame": len(found), "reason": refused.code}
        )
    jumps = {i: jump for i in range(1, len(found)) if (jump := face_jump(found[i - 1], found[i]))}
    eye_ratios = [round(mean_eye_aspect_ratio(frame.face), 3) for frame in found]
    yaws = [round(yaw_ratio(frame.face), 3) for frame in found]
    detail: dict[str, Any] = {"eye_ratios": eye_ratios, "yaw_ratios": yaws}
    evidence = movement_frames(kind, eye_ratios, yaws)
    if not evidence and not jumps:
        return ChallengeResult(False, ChallengeCode.NO_MOVEMENT, detail)
    # A face that jumped is embedded too: a swap is an identity change (a failed attempt), which
    # outranks a customer who moved too fast (a retake).
    checked = sorted({0, *evidence, *jumps})
    same, worst = _same_identity(found, checked, reference)
    detail.update({"identity_frames": checked, "max_distance": round(worst, 4)})
    if not same:
        return ChallengeResult(False, ChallengeCode.IDENTITY_CHANGED, detail)
    if jumps:
        first = min(jumps)
        return ChallengeResult(False, ChallengeCode.FACE_MOVED, {**detail, "frame": first, **jumps[first]})
    if not evidence:
        return ChallengeResult(False, ChallengeCode.NO_MOVEMENT, detail)
    return ChallengeResult(True, ChallengeCode.PASSED, detail)
