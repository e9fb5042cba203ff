"""The challenge follows one face through the burst (biometrics/engine/tracking.py): with HOG
alone later frames are searched in a window around the previous face, with YuNet (the default) or
YuNet's proposals like the decision's photo; the decision is the one a full search of every frame
gives, and a face that jumps, or a movement shown by someone else, does not pass."""

import pytest

from biometrics.engine import ChallengeCode, Frame, check_challenge, embed, frame_of, liveness, tracking
from tests.fixtures.faces import kiosk_frame, needs_faces

pytestmark = needs_faces

A, B = "img59.jpg", "img1.jpg"  # two people; img59 looks clearly to one side


def turn(name: str = A) -> list[bytes]:
    """A head turn in place: looking one way for three frames, then the other way."""
    return [kiosk_frame(name)] * 3 + [kiosk_frame(name, mirror=True)] * 2


def bursts() -> dict[str, list[bytes]]:
    return {
        "turn": turn(),
        "still": [kiosk_frame(B)] * 4,
        "swap_in_place": [kiosk_frame(B), kiosk_frame(A), kiosk_frame(B)],
        "turn_by_someone_else": [kiosk_frame(B)] * 3 + [kiosk_frame(A, mirror=True)] * 2,
        "alternating": [kiosk_frame(B), kiosk_frame(A, mirror=True)] * 2 + [kiosk_frame(B)],
    }


EXPECTED = {
    "turn": ChallengeCode.PASSED,
    "still": ChallengeCode.NO_MOVEMENT,
    "swap_in_place": ChallengeCode.IDENTITY_CHANGED,
    "turn_by_someone_else": ChallengeCode.IDENTITY_CHANGED,
    "alternating": ChallengeCode.IDENTITY_CHANGED,
}


# The detectors: (BIOMETRICS_DETECTOR, BIOMETRICS_YUNET_PROPOSALS).
SEARCHES = {"yunet": ("yunet", False), "hog": ("dlib", False), "hog+proposals": ("dlib", True)}


def use(settings, search: str) -> None:
    settings.BIOMETRICS_DETECTOR, settings.BIOMETRICS_YUNET_PROPOSALS = SEARCHES[search]


@pytest.mark.parametrize("search", sorted(SEARCHES))
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_following_the_face_decides_as_a_full_search_of_every_frame(
    engine, monkeypatch, settings, kind, search
) -> None:
    use(settings, search)
    frames = bursts()[kind]
    reference = embed(frames[0]) if kind == "turn" else None

    followed = check_challenge(frames, reference=reference)
    monkeypatch.setattr(liveness, "frame_next", lambda image, previous: frame_of(image))
    full = check_challenge(frames, reference=reference)

    assert followed.code == full.code == EXPECTED[kind]
    for key in ("eye_ratios", "yaw_ratios"):
        assert followed.detail[key] == pytest.approx(full.detail[key], abs=0.05)


@pytest.mark.parametrize("search", ["yunet", "hog+proposals"])
def test_a_still_photo_gives_every_frame_the_decisions_face(engine, settings, search) -> None:
    use(settings, search)
    frame = kiosk_frame("img59.jpg")  # a face turned aside: its landmarks move most with the box
    decided = frame_of(frame)

    result = check_challenge([frame] * 4)
    followed = tracking.frame_next(frame, decided)

    assert followed.face.box == decided.face.box
    assert result.code == ChallengeCode.NO_MOVEMENT
    assert len(set(result.detail["yaw_ratios"])) == len(set(result.detail["eye_ratios"])) == 1


def test_with_hog_alone_the_later_frames_of_a_turn_are_searched_in_a_window_only(
    engine, monkeypatch, settings
) -> None:
    use(settings, "hog")  # the window is HOG's shortcut
    full_searches = []
    real = tracking.frame_of
    monkeypatch.setattr(tracking, "frame_of", lambda image: full_searches.append(1) or real(image))

    result = check_challenge(turn())

    assert result.passed, result.detail
    assert full_searches == []


def test_two_people_in_one_burst_do_not_pass_without_a_template(engine) -> None:
    result = check_challenge(bursts()["turn_by_someone_else"])

    assert result.code == ChallengeCode.IDENTITY_CHANGED
    assert 3 in result.detail["identity_frames"]  # the frame that showed the movement was checked


def test_a_face_that_jumps_across_the_picture_fails(engine) -> None:
    frames = [kiosk_frame(A, centre=(160, 220))] * 3 + [kiosk_frame(A, mirror=True, centre=(480, 220))] * 2

    result = check_challenge(frames, reference=embed(frames[0]))

    assert result.code == ChallengeCode.FACE_MOVED
    assert result.detail["frame"] == 3
    assert result.detail["shift"] > tracking.MAX_SHIFT


def test_someone_else_jumping_in_is_an_identity_change_not_a_retake(engine) -> None:
    frames = [kiosk_frame(B, centre=(160, 220))] * 3 + [kiosk_frame(A, centre=(480, 220))] * 2

    result = check_challenge(frames)

    assert result.code == ChallengeCode.IDENTITY_CHANGED


def test_a_face_that_grows_too_much_between_frames_fails(engine) -> None:
    frames = [kiosk_frame(A, face_px=120)] * 3 + [kiosk_frame(A, mirror=True, face_px=240)] * 2

    result = check_challenge(frames, reference=embed(frames[0]))

    assert result.code == ChallengeCode.FACE_MOVED
    assert result.detail["resize"] == pytest.approx(2.0, abs=0.2)


def test_a_face_beyond_the_window_is_found_by_a_full_search(engine, settings) -> None:
    use(settings, "hog")
    before = frame_of(kiosk_frame(A, centre=(320, 220)))
    moved = kiosk_frame(A, centre=(470, 220))  # one face width along: outside the window

    assert tracking.face_near(frame_of(moved).rgb, before.face) is None
    following = tracking.frame_next(moved, before)

    assert following.face.box == frame_of(moved).face.box
    assert tracking.face_jump(before, following) is None  # within MAX_SHIFT: not a jump


def test_a_moderate_move_between_frames_is_followed(engine) -> None:
    before = frame_of(kiosk_frame(A, centre=(320, 220)))
    after = tracking.frame_next(kiosk_frame(A, centre=(360, 240)), before)

    assert abs((after.face.box[0] + after.face.box[2]) / 2 - 360) < 15
    assert tracking.face_jump(before, after) is None


def white_frame() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(out, "JPEG")
    return out.getvalue()


FOLLOWED_AHEAD = {
    **{kind: (lambda kind=kind: bursts()[kind]) for kind in EXPECTED},
    "a_frame_without_a_face": lambda: (
        [kiosk_frame(A)] * 2 + [white_frame()] + [kiosk_frame(A, mirror=True)] * 2
    ),
    "too_few_frames": lambda: [kiosk_frame(A)] * 2,
}


@pytest.mark.parametrize("kind", sorted(FOLLOWED_AHEAD))
def test_a_burst_followed_ahead_is_decided_as_the_burst_itself(engine, kind) -> None:
    frames = FOLLOWED_AHEAD[kind]()
    reference = embed(frames[0])

    ahead = check_challenge(liveness.burst_follow(frames), reference=reference)
    itself = check_challenge(frames, reference=reference)

    assert ahead == itself


def test_a_burst_followed_ahead_is_not_searched_again(engine, monkeypatch, settings) -> None:
    settings.BIOMETRICS_YUNET_PROPOSALS = False  # the window's search, which would be counted
    followed = liveness.burst_follow(turn())
    searched = []
    monkeypatch.setattr(tracking, "find_faces", lambda *a, **kw: searched.append(1))

    result = check_challenge(followed)

    assert result.passed
    assert searched == []


def test_following_stops_at_the_first_frame_refused(engine) -> None:
    frames = [kiosk_frame(A)] * 2 + [white_frame()] + [kiosk_frame(A, mirror=True)] * 2

    followed = liveness.burst_follow(frames)

    assert [isinstance(frame, Frame) for frame in followed] == [True, True, False, False, False]
    assert followed[2:] == frames[2:]
