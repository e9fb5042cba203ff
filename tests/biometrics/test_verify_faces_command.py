"""manage.py verify_faces: one JSON line per pair, refusals included."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.fixtures.faces import FACES, needs_faces


def run(*args: str) -> list[dict]:
    out = StringIO()
    call_command("verify_faces", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@needs_faces
def test_it_prints_one_json_line_for_two_photos(engine) -> None:
    [line] = run(str(FACES / "img1.jpg"), str(FACES / "img2.jpg"))

    assert line["match"] is True
    assert set(line) == {"match", "distance", "threshold", "model", "ms"}
    assert line["distance"] < line["threshold"]
    assert line["model"] == "SFace"


@needs_faces
def test_it_prints_one_line_per_pair_with_the_reason_for_a_refused_photo(engine, tmp_path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"{FACES}/img1.jpg,{FACES}/img4.jpg\n\nimg1.jpg,img13.jpg\ncouple.jpg,img1.jpg\n")
    # Relative paths are also looked up beside the CSV file.
    for name in ("img1.jpg", "img13.jpg", "couple.jpg"):
        (tmp_path / name).symlink_to(FACES / name)

    genuine, impostor, refused = run("--pairs", str(pairs))

    assert genuine["match"] is True
    assert impostor["match"] is False
    assert impostor["distance"] > impostor["threshold"]
    assert refused["match"] is False
    assert refused["reason"] == "multiple_faces"
    assert refused["refused"].endswith("couple.jpg")


def test_it_wants_two_photos_or_a_pairs_file() -> None:
    with pytest.raises(CommandError, match="exactly two"):
        call_command("verify_faces", "only-one.jpg")


@needs_faces
def test_each_pair_reports_its_own_decision_time_even_when_the_probe_repeats(engine, tmp_path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"{FACES}/img1.jpg,{FACES}/img2.jpg\n{FACES}/img4.jpg,{FACES}/img2.jpg\n")

    first, second = run("--pairs", str(pairs))

    # The probe is embedded afresh for each pair (a cached one would take well under a millisecond).
    assert first["ms"] > 5
    assert second["ms"] > 5
