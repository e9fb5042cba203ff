"""Calibrate the face match threshold on the shared labelled photos, and time the fast path.

    .venv/bin/python bench/face_calibration.py              # about a minute
    .venv/bin/python bench/face_calibration.py --naive-pairs 0   # calibration only
    .venv/bin/python bench/face_calibration.py --model Dlib --naive-pairs 0  # the old model
    .venv/bin/python bench/face_calibration.py --fusion --naive-pairs 0      # SFace + Dlib fused?

1. Embeds every photo of ``SHARED_DIR/faces/identities.csv`` (``../shared`` by default) once with
   the engine's fast path (quality gate included) and prints FMR/FNMR for distance thresholds over
   all genuine (same identity) and impostor (different identities) pairs, then the chosen threshold: the one
   with no false match and the fewest false rejects, centred in the gap the data leaves (see
   ``choose_threshold``).
2. Times, in the same run and on the same pairs, a pickup on our fast path (template computed at
   enrolment; the probe is read from disk, decoded, gated, embedded and compared) against a naive
   ``DeepFace.verify(model_name="Dlib", detector_backend="dlib")`` on the two files, and prints
   p50/p95 side by side. The last line is one JSON object with every number.
"""

import argparse
import csv
import itertools
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402

from biometrics.engine import Embedding, FaceRefused, compare, embed, warm_up  # noqa: E402
from biometrics.engine.weights import ensure_recognition_weights  # noqa: E402

FACES = Path(settings.SHARED_DIR) / "faces"
# Each model's published operating point, in its own metric: dlib's Euclidean 0.60 on LFW, and
# OpenCV's cosine-similarity 0.363 for SFace (a cosine distance of 0.637). Seven people say little
# about the impostor tail, so the calibration never goes above it.
PUBLISHED_THRESHOLDS = {"SFace": 0.637, "Dlib": 0.60}
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(46)]  # 0.30 … 0.75


def labelled_photos() -> list[tuple[str, str]]:
    """(file, identity) rows of identities.csv."""
    with open(FACES / "identities.csv", newline="") as handle:
        return [(row["file"], row["identity"]) for row in csv.DictReader(handle)]


def pair_distances(embeddings: dict[str, Embedding], identities: dict[str, str]) -> tuple[list, list]:
    """Distances of every genuine pair and every impostor pair, with the file names."""
    genuine, impostor = [], []
    for a, b in itertools.combinations(sorted(embeddings), 2):
        distance = compare(embeddings[a], embeddings[b]).distance
        (genuine if identities[a] == identities[b] else impostor).append((distance, a, b))
    return genuine, impostor


def rates(genuine: list, impostor: list, threshold: float) -> tuple[float, float, int, int]:
    """(FMR, FNMR, false matches, false rejects) at ``threshold`` (match when distance ≤ it)."""
    false_matches = sum(1 for d, *_ in impostor if d <= threshold)
    false_rejects = sum(1 for d, *_ in genuine if d > threshold)
    return false_matches / len(impostor), false_rejects / len(genuine), false_matches, false_rejects


def choose_threshold(genuine: list, impostor: list) -> float:
    """Zero false matches first (a false match gives a car to the wrong person), then the fewest
    false rejects; within that, halfway between the closest impostor and the farthest genuine pair
    it still accepts, rounded down to 0.01, so neither side sits on the edge; and never above the
    model's published threshold, since a handful of identities cannot show the impostor tail."""
    closest_impostor = min(d for d, *_ in impostor)
    accepted = [d for d, *_ in genuine if d < closest_impostor]
    farthest_accepted = max(accepted, default=closest_impostor - 0.02)
    midpoint = float(np.floor((closest_impostor + farthest_accepted) / 2 * 100) / 100)
    print(f"\nmidpoint of the gap between genuine and impostor pairs: {midpoint:.2f}")
    return min(midpoint, PUBLISHED_THRESHOLDS[settings.BIOMETRICS_MODEL])


def separation(genuine: list, impostor: list) -> dict[str, float]:
    """d′ and the gap (closest impostor − farthest genuine) in units of the two means' distance,
    so that models with different metrics can be set side by side."""
    g = np.array([d for d, *_ in genuine])
    i = np.array([d for d, *_ in impostor])
    spread = float(i.mean() - g.mean())
    d_prime = spread / float(np.sqrt((g.var() + i.var()) / 2))
    return {"d_prime": round(d_prime, 2), "relative_margin": round(float(i.min() - g.max()) / spread, 3)}


def embed_all(photos: list[tuple[str, str]], model: str) -> dict[str, Embedding]:
    settings.BIOMETRICS_MODEL = model
    warm_up(liveness=False)
    return {file: embed(FACES / file) for file, _ in photos}


def fusion_report(photos: list[tuple[str, str]]) -> dict[str, object]:
    """Does adding the old model help? Each model's distance divided by its own threshold, averaged;
    compared on d′ and relative margin with SFace alone, and on errors at the fused threshold 1.0."""
    identities = dict(photos)
    distances = {}
    for model in ("SFace", "Dlib"):
        genuine, impostor = pair_distances(embed_all(photos, model), identities)
        distances[model] = (genuine, impostor, PUBLISHED_THRESHOLDS[model])
    report: dict[str, object] = {m: separation(g, i) for m, (g, i, _) in distances.items()}
    fused = []
    for side in (0, 1):
        pairs = zip(distances["SFace"][side], distances["Dlib"][side], strict=True)
        fused.append(
            [((a[0] / distances["SFace"][2] + b[0] / distances["Dlib"][2]) / 2, *a[1:]) for a, b in pairs]
        )
    report["fused"] = separation(*fused) | {
        "false_matches_at_1": rates(*fused, 1.0)[2],
        "false_rejects_at_1": rates(*fused, 1.0)[3],
    }
    settings.BIOMETRICS_MODEL = "SFace"
    return report


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def time_ours(pairs: list[tuple[str, str]], templates: dict[str, Embedding]) -> list[float]:
    """Milliseconds per pickup: probe file read → gate → embed → compare with a stored template."""
    times = []
    for enrolled, probe in pairs:
        start = time.perf_counter()
        compare(templates[enrolled], embed((FACES / probe).read_bytes()))
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_naive(pairs: list[tuple[str, str]]) -> list[float]:
    """Milliseconds per DeepFace.verify on the two files, after one untimed call loads the model."""
    from deepface import DeepFace

    def verify(a: str, b: str) -> None:
        DeepFace.verify(str(FACES / a), str(FACES / b), model_name="Dlib", detector_backend="dlib")

    verify(*pairs[0])
    times = []
    for a, b in pairs:
        start = time.perf_counter()
        verify(a, b)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-pairs", type=int, default=8, help="pairs timed both ways (default 8)")
    parser.add_argument("--model", choices=sorted(PUBLISHED_THRESHOLDS), default=settings.BIOMETRICS_MODEL)
    parser.add_argument("--fusion", action="store_true", help="also report SFace and Dlib fused")
    args = parser.parse_args()
    if not FACES.is_dir():
        sys.exit(f"no labelled photos at {FACES}")
    settings.BIOMETRICS_MODEL = args.model

    ensure_recognition_weights()
    warm_up(liveness=False)
    photos = labelled_photos()
    identities = dict(photos)
    embeddings, embed_ms = {}, []
    for file, _ in photos:
        start = time.perf_counter()
        try:
            embeddings[file] = embed(FACES / file)
        except FaceRefused as refused:
            print(f"refused {file}: {refused.code} {refused.detail}")
        embed_ms.append((time.perf_counter() - start) * 1000)
    genuine, impostor = pair_distances(embeddings, identities)
    print(f"{len(embeddings)} photos embedded, {len(genuine)} genuine and {len(impostor)} impostor pairs")
    print(f"genuine distances:  min {min(genuine)[0]:.3f}  max {max(genuine)[0]:.3f}")
    print(f"impostor distances: min {min(impostor)[0]:.3f}  max {max(impostor)[0]:.3f}")
    print(f"farthest genuine pair {max(genuine)[1:]}, closest impostor pair {min(impostor)[1:]}")
    print("\nthreshold   FMR      FNMR     false matches  false rejects")
    for threshold in THRESHOLDS:
        fmr, fnmr, fm, fr = rates(genuine, impostor, threshold)
        print(f"{threshold:9.2f}  {fmr:7.2%}  {fnmr:7.2%}  {fm:13d}  {fr:13d}")
    chosen = choose_threshold(genuine, impostor)
    fmr, fnmr, fm, fr = rates(genuine, impostor, chosen)
    print(
        f"\nchosen threshold {chosen:.2f}: FMR {fmr:.2%} ({fm}/{len(impostor)}), FNMR {fnmr:.2%} ({fr}/{len(genuine)})"
    )

    summary = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores",
        "model": args.model,
        "threshold": chosen,
        "fmr": fmr,
        "fnmr": fnmr,
        "false_matches": fm,
        "false_rejects": fr,
        "genuine_pairs": len(genuine),
        "impostor_pairs": len(impostor),
        "embed_p50_ms": round(percentile(embed_ms, 50), 1),
    } | separation(genuine, impostor)
    if args.fusion:
        summary["fusion"] = fusion_report(photos)
        print(f"\nfusion (SFace + Dlib, each distance over its threshold): {summary['fusion']}")
    if args.naive_pairs:
        # Genuine and impostor pairs alternately, so both decisions are timed.
        pairs = [pair[1:] for pair in itertools.chain(*zip(genuine, impostor, strict=False))][
            : args.naive_pairs
        ]
        ours, naive = time_ours(pairs, embeddings), time_naive(pairs)
        print(f"\nlatency over {len(pairs)} pairs, same run     p50 ms    p95 ms")
        print(
            f"ours (pickup: 1 probe, template stored) {percentile(ours, 50):8.0f}  {percentile(ours, 95):8.0f}"
        )
        print(
            f"naive DeepFace.verify (2 photos)       {percentile(naive, 50):8.0f}  {percentile(naive, 95):8.0f}"
        )
        summary |= {
            "pairs_timed": len(pairs),
            "ours_p50_ms": round(percentile(ours, 50), 1),
            "ours_p95_ms": round(percentile(ours, 95), 1),
            "naive_p50_ms": round(percentile(naive, 50), 1),
            "naive_p95_ms": round(percentile(naive, 95), 1),
            "speedup": round(statistics.median(naive) / statistics.median(ours), 1),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
