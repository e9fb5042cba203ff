"""``manage.py verify_faces A.jpg B.jpg`` or ``--pairs FILE.csv``: the pickup decision on files.

One JSON line per pair: ``{"match", "distance", "threshold", "model", "ms"}``, plus ``"reason"``
(a quality code) and ``"refused"`` (the path) when a photo must be retaken — then ``"match"`` is
false and ``"distance"`` null. The models load once for the whole run. As at a pickup, the first
photo of a pair is the enrolled template (embedded once per distinct photo, untimed) and the second
the probe, embedded afresh for every pair: ``"ms"`` is that pair's real decision time (read,
decode, quality gate, detection, embedding, comparison).
"""

import csv
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biometrics.engine import Embedding, FaceRefused, compare, embed, warm_up
from biometrics.engine.embedding import model_name, threshold_for


class Command(BaseCommand):
    help = "Decide whether two face photos show the same person (JSON lines), as a pickup would."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("photos", nargs="*", help="two photo paths")
        parser.add_argument("--pairs", type=Path, help="CSV file with two photo paths per line")

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = self._pairs(options["photos"], options["pairs"])
        warm_up(liveness=False)
        cache: dict[Path, Embedding | FaceRefused] = {}
        for first, second in pairs:
            self.stdout.write(json.dumps(verify_pair(first, second, cache)))

    def _pairs(self, photos: list[str], pairs_file: Path | None) -> list[tuple[Path, Path]]:
        if pairs_file and photos:
            raise CommandError("give two photos or --pairs, not both")
        if pairs_file:
            return read_pairs(pairs_file)
        if len(photos) != 2:
            raise CommandError("give exactly two photos, or --pairs FILE.csv")
        return [(Path(photos[0]), Path(photos[1]))]


def read_pairs(pairs_file: Path) -> list[tuple[Path, Path]]:
    """Two paths per CSV line; blank and ``#`` lines skipped. Relative paths are taken from the
    current directory, else from the CSV's own folder."""
    if not pairs_file.is_file():
        raise CommandError(f"no such file: {pairs_file}")
    pairs = []
    with open(pairs_file, newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            cells = [cell.strip() for cell in row if cell.strip()]
            if not cells or cells[0].startswith("#"):
                continue
            if len(cells) != 2:
                raise CommandError(f"{pairs_file}:{number}: expected two paths, got {len(cells)}")
            pairs.append((_resolve(cells[0], pairs_file.parent), _resolve(cells[1], pairs_file.parent)))
    return pairs


def _resolve(cell: str, folder: Path) -> Path:
    path = Path(cell)
    return path if path.is_absolute() or path.exists() else folder / path


def _embedding(path: Path, cache: dict[Path, Embedding | FaceRefused]) -> Embedding | FaceRefused:
    """The photo's embedding or its refusal; a missing file is an unreadable image."""
    if path not in cache:
        try:
            cache[path] = embed(path)
        except FaceRefused as refused:
            cache[path] = refused
    return cache[path]


def _probe(path: Path) -> Embedding | FaceRefused:
    try:
        return embed(path.read_bytes()) if path.is_file() else embed(path)
    except FaceRefused as refused:
        return refused


def verify_pair(first: Path, second: Path, cache: dict[Path, Embedding | FaceRefused]) -> dict[str, Any]:
    """The decision for one pair as a JSON-ready dict; ``ms`` is the probe's decision time."""
    a = _embedding(first, cache)  # the enrolled template: computed at enrolment, not timed
    start = time.perf_counter()
    model = model_name()
    result: dict[str, Any] = {
        "match": False,
        "distance": None,
        "threshold": threshold_for(model),
        "model": model,
    }
    b = _probe(second)
    if isinstance(a, FaceRefused):
        result |= {"reason": a.code.value, "refused": str(first)}
    elif isinstance(b, FaceRefused):
        result |= {"reason": b.code.value, "refused": str(second)}
    else:
        decision = compare(a, b)
        result |= {"match": decision.match, "distance": round(decision.distance, 4)}
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result
