"""Snap-a-car accuracy and latency on real photos, ours beside the naive way, in one run.

    .venv/bin/python bench/snapcar.py                     # photos from ../shared/cars
    .venv/bin/python bench/snapcar.py --cars DIR --not-cars DIR

Needs the exported model (``manage.py snapcar_export_model``). No database: the catalogue is
built in memory with the same functions the store uses (analysis, classifier, ranking).

Queries, each with the right model known from ``labels.csv``:

- *other photo*: every photo of a model that has more than one photo, searched against all
  the other photos (leave-one-out, the classifier fitted again each time). The hard case: a
  different car of the same model, another angle, another place.
- *catalogue picture*: 20 catalogue photos "re-photographed" (tilted, cropped, on a dark
  screen border, glare, blur, JPEG), searched against all photos: a customer photographing
  our poster or our site.

The naive way embeds the whole photo (no locating, average pooling) and takes the model of the
nearest catalogue photo: no classifier, no keypoints.

Also: car/not-car accuracy over the car photos and the not-car photos (people, from
../shared/faces), paint accuracy against colour families labelled by eye below, and latency
of a whole query (decode, locate, embed, paint, rank, keypoints) against a 60-photo index,
one thread. The last line is one JSON object.
"""

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.test")

import django  # noqa: E402

django.setup()

import cv2  # noqa: E402
from PIL import Image  # noqa: E402

from snapcar import engine  # noqa: E402
from snapcar.analysis import VEHICLE_THRESHOLD, photo_analyse  # noqa: E402
from snapcar.classifier import classifier_fit  # noqa: E402
from snapcar.conf import WORK_SIDE, upload_limits  # noqa: E402
from snapcar.index import LoadedIndex  # noqa: E402
from snapcar.ranking import rank_models  # noqa: E402
from vendingstore import uploads  # noqa: E402


def image_decode(data: bytes):
    """A photo as the store decodes a customer's (same limits, same working size)."""
    return uploads.image_decode(data=data, limits=upload_limits(), max_side=WORK_SIDE)


# Body colour of each photo in labels.csv order, labelled by eye for this benchmark (grey is
# counted as silver, gold and champagne as beige).
PAINT_TABLE = (
    "white black red red silver red blue red silver silver white silver beige white orange "
    "red white white red white silver black black white silver silver beige blue red white "
    "silver blue white silver silver red black black silver silver black black silver red "
    "silver red black black blue black red black orange yellow blue black silver silver "
    "white silver "
)
PAINT_LABELS = PAINT_TABLE.split()


@dataclass
class Photo:
    file: str
    label: str
    data: bytes


def load_cars(folder: Path) -> list[Photo]:
    with open(folder / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f, skipinitialspace=True))
    return [Photo(r["file"], r["make_model_year"], (folder / r["file"]).read_bytes()) for r in rows]


def rephotograph(data: bytes, seed: int) -> bytes:
    """A photo of a catalogue picture: shown on a dark screen, tilted, with glare, re-encoded."""
    rng = np.random.default_rng(seed)
    rgb = image_decode(data)
    h, w = rgb.shape[:2]
    border = int(0.12 * max(h, w))
    canvas = np.full((h + 2 * border, w + 2 * border, 3), 25, np.uint8)
    canvas[border : border + h, border : border + w] = rgb
    ch, cw = canvas.shape[:2]
    corners = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    jitter = rng.uniform(-0.07, 0.07, (4, 2)) * [cw, ch]
    warp = cv2.getPerspectiveTransform(corners, np.float32(corners + jitter))
    shot = cv2.warpPerspective(canvas, warp, (cw, ch), borderValue=(60, 60, 60)).astype(np.float32)
    yy, xx = np.mgrid[0:ch, 0:cw]
    gx, gy = rng.uniform(0.2, 0.8) * cw, rng.uniform(0.2, 0.8) * ch
    glare = 90 * np.exp(-(((xx - gx) / (0.25 * cw)) ** 2 + ((yy - gy) / (0.2 * ch)) ** 2))
    shot = shot * rng.uniform(0.75, 1.1) + glare[..., None]
    shot = cv2.GaussianBlur(np.clip(shot, 0, 255).astype(np.uint8), (3, 3), 0)
    buffer = io.BytesIO()
    Image.fromarray(shot).save(buffer, "JPEG", quality=55)
    return buffer.getvalue()


def naive_embedding(rgb: np.ndarray) -> np.ndarray:
    """The whole photo, average-pooled: what an ImageNet embedding gives with no extra work."""
    square = cv2.resize(rgb, (engine.EMBED_SIDE, engine.EMBED_SIDE), interpolation=cv2.INTER_AREA)
    features, _ = engine._run(engine._tensor(square))
    pooled = features.mean(axis=(2, 3))[0]
    return pooled / np.linalg.norm(pooled)


def build_index(entries: list[tuple[int, int, object]], fit: bool) -> LoadedIndex:
    """An in-memory index of (photo number, model number, Analysis) entries."""
    embeddings = np.stack([a.embedding for _, _, a in entries])
    model_ids = [m for _, m, _ in entries]
    classifier = classifier_fit(embeddings, model_ids) if fit else None
    return LoadedIndex(
        version=(),
        photo_ids=[p for p, _, _ in entries],
        model_ids=np.array(model_ids),
        embeddings=embeddings,
        classifier=classifier,
        _keypoints={p: a.keypoints.to_bytes() for p, _, a in entries},
    )


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cars", type=Path, default=ROOT.parent / "shared" / "cars")
    parser.add_argument("--not-cars", type=Path, default=ROOT.parent / "shared" / "faces")
    args = parser.parse_args()
    if not (args.cars / "labels.csv").exists():
        sys.exit(f"No car photos at {args.cars} (labels.csv missing).")

    cars = load_cars(args.cars)
    not_cars = sorted(p for p in args.not_cars.rglob("*.jpg")) if args.not_cars.exists() else []
    names = sorted({p.label for p in cars})
    model_of = [names.index(p.label) for p in cars]
    print(f"{len(cars)} car photos of {len(names)} models; {len(not_cars)} photos without a car")

    analyses = [photo_analyse(image_decode(p.data)) for p in cars]
    naive = [naive_embedding(image_decode(p.data)) for p in cars]

    # Car / not car, on every photo.
    car_right = sum(a.vehicle_probability >= VEHICLE_THRESHOLD for a in analyses)
    no_car_right = sum(
        engine.look(image_decode(p.read_bytes())).vehicle_probability < VEHICLE_THRESHOLD for p in not_cars
    )
    car_accuracy = (car_right + no_car_right) / (len(cars) + len(not_cars))
    print(f"car photos seen as cars: {car_right}/{len(cars)}; others refused: {no_car_right}/{len(not_cars)}")

    # Paint, on every photo.
    paint_right = sum(a.paint.family == label for a, label in zip(analyses, PAINT_LABELS, strict=True))
    paint_accuracy = paint_right / len(cars)
    print(f"paint family right: {paint_right}/{len(cars)}")

    # Queries.
    repeated = [i for i, m in enumerate(model_of) if model_of.count(m) > 1]
    rephotographed = list(range(0, len(cars), 3))
    results: dict[str, dict[str, list[int]]] = {
        kind: {"ours1": [], "ours5": [], "naive1": [], "naive5": []} for kind in ("other", "picture")
    }
    latencies: list[float] = []
    full = build_index([(i, model_of[i], a) for i, a in enumerate(analyses)], fit=True)
    queries: list[tuple[str, int, bytes, LoadedIndex, list[int]]] = []
    for i in repeated:
        others = [j for j in range(len(cars)) if j != i]
        loo = build_index([(j, model_of[j], analyses[j]) for j in others], fit=True)
        queries.append(("other", i, cars[i].data, loo, others))
    for n, i in enumerate(rephotographed):
        queries.append(("picture", i, rephotograph(cars[i].data, seed=n), full, list(range(len(cars)))))

    for kind, i, data, index, catalogue in queries:
        started = time.perf_counter()
        analysis = photo_analyse(image_decode(data))
        ranked = rank_models(index, analysis.embedding, analysis.keypoints, limit=5)
        # As snapcar_query: refused unless a vehicle is seen or it is one of our pictures.
        if not analysis.has_car and not any(r.same_picture_photo_id for r in ranked):
            ranked = []
        latencies.append((time.perf_counter() - started) * 1000)
        ours = [r.model_id for r in ranked]
        query_naive = naive_embedding(image_decode(data))
        order = sorted(catalogue, key=lambda j: -float(naive[j] @ query_naive))
        naive_models: list[int] = []
        for j in order:
            if model_of[j] not in naive_models:
                naive_models.append(model_of[j])
        truth = model_of[i]
        r = results[kind]
        r["ours1"].append(int(ours[:1] == [truth]))
        r["ours5"].append(int(truth in ours[:5]))
        r["naive1"].append(int(naive_models[:1] == [truth]))
        r["naive5"].append(int(truth in naive_models[:5]))

    print()
    print(
        f"{'queries':<34}{'n':>4}{'ours top-1':>12}{'ours top-5':>12}{'naive top-1':>13}{'naive top-5':>13}"
    )
    for kind, title in (
        ("other", "other photo of a catalogue model"),
        ("picture", "photo of a catalogue picture"),
    ):
        r = results[kind]
        n = len(r["ours1"])
        print(
            f"{title:<34}{n:>4}{sum(r['ours1']):>9}/{n:<2}{sum(r['ours5']):>9}/{n:<2}"
            f"{sum(r['naive1']):>10}/{n:<2}{sum(r['naive5']):>10}/{n:<2}"
        )
    every = {k: results["other"][k] + results["picture"][k] for k in results["other"]}
    total = len(every["ours1"])
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"latency of a whole query, one thread: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(latencies):.0f} ms"
    )
    summary = {
        "top1": round(sum(every["ours1"]) / total, 3),
        "top5": round(sum(every["ours5"]) / total, 3),
        "car_accuracy": round(car_accuracy, 3),
        "paint_accuracy": round(paint_accuracy, 3),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "queries": total,
        "top1_other_photo": round(statistics.mean(results["other"]["ours1"]), 3),
        "top5_other_photo": round(statistics.mean(results["other"]["ours5"]), 3),
        "top1_catalogue_picture": round(statistics.mean(results["picture"]["ours1"]), 3),
        "naive_top1": round(sum(every["naive1"]) / total, 3),
        "naive_top5": round(sum(every["naive5"]) / total, 3),
        "naive_top1_other_photo": round(statistics.mean(results["other"]["naive1"]), 3),
        "naive_top1_catalogue_picture": round(statistics.mean(results["picture"]["naive1"]), 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
