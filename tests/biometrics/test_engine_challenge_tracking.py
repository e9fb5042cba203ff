"""The challenge's later frames are searched on a smaller detection copy, sized by the face of the
frame before (HOG over the whole copy), or like the decision's photo (YuNet's proposals): the
decision is the same as with a full search on every frame, and a still photo shows no movement."""

import io

import pytest
from PIL import Image, ImageOps

from biometrics.engine import ChallengeCode, check_challenge, embed, frame_of, liveness
from biometrics.engine import embedding as embedding_module
from biometrics.engine.embedding import frame_following
from tests.fixtures.faces import needs_faces, upright


def kiosk_frame(name: str, *, mirror: bool = False) -> bytes:
    """A shared photo as the kiosk camera sends it: 640×480 JPEG."""
    picture = ImageOps.pad(upright(name).convert("RGB"), (640, 480))
    out = io.BytesIO()
    (ImageOps.mirror(picture) if mirror else picture).save(out, "JPEG", quality=90)
    return out.getvalue()


def bursts() -> dict[str, list[bytes]]:
    return {
        "turn": [kiosk_frame("img59.jpg")] * 3 + [kiosk_frame("img59.jpg", mirror=True)] * 2,
        "still": [kiosk_frame("img1.jpg")] * 4,
        "swap": [kiosk_frame("img1.jpg"), kiosk_frame("img59.jpg"), kiosk_frame("img1.jpg")],
        "second_face": [kiosk_frame("img1.jpg"), kiosk_frame("couple.jpg"), kiosk_frame("img1.jpg")],
    }


EXPECTED = {
    "turn": ChallengeCode.PASSED,
    "still": ChallengeCode.NO_MOVEMENT,
    "swap": ChallengeCode.IDENTITY_CHANGED,
    "second_face": ChallengeCode.FRAME_REFUSED,
}


@needs_faces
@pytest.mark.parametrize("proposals", [False, True], ids=["hog", "yunet"])
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_cheaper_search_gives_the_same_decision_as_a_full_search(
    engine, monkeypatch, settings, kind, proposals
) -> None:
    settings.BIOMETRICS_YUNET_PROPOSALS = proposals
    frames = bursts()[kind]
    reference = embed(frames[0]) if kind == "turn" else None

    cheap = check_challenge(frames, reference=reference)
    monkeypatch.setattr(liveness, "frame_following", lambda image, previous: frame_of(image))
    full = check_challenge(frames, reference=reference)

    assert cheap.code == full.code == EXPECTED[kind]
    for key in ("eye_ratios", "yaw_ratios"):
        if key in full.detail:
            assert cheap.detail[key] == pytest.approx(full.detail[key], abs=0.05)


@needs_faces
def test_with_the_proposals_a_still_photo_gives_every_frame_the_decisions_face(engine, settings) -> None:
    settings.BIOMETRICS_YUNET_PROPOSALS = True
    frame = kiosk_frame("img59.jpg")  # a face turned aside: its landmarks move most with the box
    decided = frame_of(frame)

    result = check_challenge([frame] * 4)
    followed = frame_following(frame, decided)

    assert followed.face.box == decided.face.box
    assert result.code == ChallengeCode.NO_MOVEMENT
    assert len(set(result.detail["yaw_ratios"])) == len(set(result.detail["eye_ratios"])) == 1


@needs_faces
def test_a_following_frame_is_searched_on_a_smaller_copy(engine, monkeypatch, settings) -> None:
    settings.BIOMETRICS_YUNET_PROPOSALS = False  # the smaller copy is HOG's shortcut
    first = frame_of(kiosk_frame("img21.jpg"))  # a large face: about 250 px of a 640 px frame
    sides = []
    real = embedding_module.find_faces
    monkeypatch.setattr(
        embedding_module,
        "find_faces",
        lambda rgb, **kw: sides.append(kw["detection_side"]) or real(rgb, **kw),
    )

    following = frame_following(kiosk_frame("img21.jpg"), first)

    assert sides[0] < 400
    assert abs(following.face.width - first.face.width) < first.face.width * 0.1


@needs_faces
def test_a_face_the_small_copy_misses_is_found_by_the_full_search(engine, settings) -> None:
    settings.BIOMETRICS_YUNET_PROPOSALS = False
    first = frame_of(kiosk_frame("img21.jpg"))
    far = ImageOps.pad(upright("img12.jpg").convert("RGB").resize((300, 400)), (640, 480))  # a smaller face
    out = io.BytesIO()
    far.save(out, "JPEG", quality=90)

    following = frame_following(out.getvalue(), first)

    assert following.face.width == frame_of(out.getvalue()).face.width
    assert isinstance(Image.fromarray(following.rgb), Image.Image)
