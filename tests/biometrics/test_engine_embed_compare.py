"""embed() and compare() on the shared labelled photos: same person closer than the threshold,
different people farther."""

import numpy as np
import pytest

from biometrics.engine import Embedding, compare, embed, frame_of, threshold_for
from tests.fixtures.faces import FACES, needs_faces

# (file, file) pairs from identities.csv: same identity, then different identities.
GENUINE = [("img1.jpg", "img2.jpg"), ("img1.jpg", "img4.jpg"), ("img13.jpg", "img14.jpg")]
IMPOSTORS = [("img1.jpg", "img13.jpg"), ("img2.jpg", "img3.jpg"), ("img12.jpg", "img22.jpg")]


@needs_faces
@pytest.mark.parametrize(("a", "b"), GENUINE)
def test_it_matches_two_photos_of_the_same_person(embedding_of, a: str, b: str) -> None:
    distance, threshold, match = compare(embedding_of(a), embedding_of(b))

    assert match
    assert distance < threshold


@needs_faces
@pytest.mark.parametrize(("a", "b"), IMPOSTORS)
def test_it_keeps_different_people_apart(embedding_of, a: str, b: str) -> None:
    distance, threshold, match = compare(embedding_of(a), embedding_of(b))

    assert not match
    assert distance > threshold


@needs_faces
def test_an_embedding_is_the_store_models_128_numbers(embedding_of) -> None:
    embedding = embedding_of("img1.jpg")

    assert embedding.model == "SFace"
    assert embedding.vector.shape == (128,)


@needs_faces
def test_a_frame_is_embedded_once_however_often_it_is_asked(engine) -> None:
    data = (FACES / "img1.jpg").read_bytes()
    frame = frame_of(data)

    assert embed(frame) is embed(frame) is frame.embedding
    # Decoded and found again: the very same vector (its cosine distance to itself is 0 up to
    # rounding, which can fall either side of zero).
    assert np.array_equal(embed(data).vector, frame.embedding.vector)
    assert compare(frame.embedding, embed(data)).distance == pytest.approx(0.0, abs=1e-12)


def test_an_embedding_survives_storage_as_bytes() -> None:
    embedding = Embedding(np.linspace(-0.5, 0.5, 128), "Dlib")

    restored = Embedding.from_bytes(embedding.to_bytes(), "Dlib")

    assert compare(embedding, restored).distance < 1e-6


def test_it_refuses_to_compare_embeddings_of_different_models() -> None:
    with pytest.raises(ValueError, match="cannot compare"):
        compare(Embedding(np.zeros(128), "Dlib"), Embedding(np.zeros(128), "Facenet"))


def test_the_threshold_is_the_calibrated_one_unless_a_setting_overrides_it(settings) -> None:
    assert threshold_for("SFace") == 0.58
    assert threshold_for("Dlib") == 0.60

    settings.BIOMETRICS_THRESHOLD = 0.5

    assert threshold_for("Dlib") == 0.5
