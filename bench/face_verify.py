"""Pickup face verification: the new SFace path, today's dlib path and naive ``DeepFace.verify``,
in one run.

    DJANGO_SETTINGS_MODULE=vendingstore.settings.base .venv/bin/python bench/face_verify.py
    ... bench/face_verify.py --naive-pairs 10      # a quicker look (naive costs ~5 s a pair)
    ... bench/face_verify.py --yunet-proposals     # ours detecting with YuNet's proposals + HOG
    BIOMETRICS_DETECTOR=dlib ... bench/face_verify.py   # ours detecting with HOG (before 2026-12)

On the labelled photos of ``settings.SHARED_DIR / "faces" / "identities.csv"`` (every pair of
files: same identity = genuine, different = impostor):

- **ours**, what a pickup decides: the enrolment template of every photo is computed once with
  ``embed()`` (timed apart, as enrolment); then for every pair (first file enrolled, second the
  probe) the probe is read from disk and goes through ``embed()`` (decode, quality gate, one
  detection, aligned crop, one forward pass) and ``compare()`` with the stored template. All pairs,
  twice: with the store's model (``BIOMETRICS_MODEL``, SFace) and with the dlib path it replaced
  (``Dlib``), the baseline, interleaved pair by pair in one process (the order alternating) so
  both see the same machine load. Liveness is timed apart, below.
- **naive**: ``DeepFace.verify(a, b, model_name="Dlib", detector_backend="dlib")`` with deepface's
  own defaults otherwise, on a random sample of pairs (fixed seed, half genuine, half impostor);
  ours is also reported on exactly that sample. deepface imports no PyTorch for it (its Dlib
  model and detector do not depend on a backend), so it runs in the store's torch-free .venv.
- **liveness**: ``check_antispoof`` on every labelled photo and the spoof samples, on its own.

Both paths are warm: models are loaded, and one untimed call made, before the clock starts. Each
phase runs in its own process forked from this one after Django's set-up and before any model is
loaded, so "peak memory" is that process's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (peak RSS,
the forked-from baseline included, which is printed too). Phases run one after the other, never
at the same time. The last line printed is one JSON object with every number.
"""

import argparse
import csv
import itertools
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.base")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402

from biometrics.engine.weights import ensure_antispoof_weights, ensure_recognition_weights  # noqa: E402

SEED = 20261122

# (enrolled file, probe file, genuine?)
Pair = tuple[str, str, bool]


def labelled_photos(faces: Path) -> list[tuple[str, str]]:
    """(file, identity) rows of identities.csv."""
    with open(faces / "identities.csv", newline="") as handle:
        return [(row["file"], row["identity"]) for row in csv.DictReader(handle)]


def all_pairs(photos: list[tuple[str, str]]) -> list[Pair]:
    """Every unordered pair once, in file-name order: the first is enrolled, the second probes."""
    identity = dict(photos)
    return [(a, b, identity[a] == identity[b]) for a, b in itertools.combinations(sorted(identity), 2)]


def sample_pairs(pairs: list[Pair], count: int) -> list[Pair]:
    """``count`` pairs at random (fixed seed): half genuine, the rest impostor, shuffled together."""
    rng = random.Random(SEED)
    genuine = [p for p in pairs if p[2]]
    impostor = [p for p in pairs if not p[2]]
    n_genuine = min(len(genuine), count // 2)
    n_impostor = min(len(impostor), count - n_genuine)
    chosen = rng.sample(genuine, n_genuine) + rng.sample(impostor, n_impostor)
    rng.shuffle(chosen)
    return chosen


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1) if values else float("nan")


def errors(decisions: list[tuple[bool, bool]]) -> tuple[int, int]:
    """(false matches, false rejects) from (genuine?, matched?) decisions."""
    false_matches = sum(1 for genuine, matched in decisions if matched and not genuine)
    false_rejects = sum(1 for genuine, matched in decisions if genuine and not matched)
    return false_matches, false_rejects


# --- phases, each run in a fresh forked process -------------------------------------------------


def run_ours(faces: Path, pairs: list[Pair], models: list[str], proposals: bool = False) -> dict[str, dict]:
    """Every pair decided with each model in turn, in one process, the order alternating from pair
    to pair: the two paths see the same machine load (it moves a lot on this shared VM), so their
    ratio means something even when their absolute times do not. ``proposals``: the first model
    (ours) with YuNet's proposals confirmed by HOG; ours with the store's detector
    (``BIOMETRICS_DETECTOR``), the baseline always with HOG alone, as before SFace."""

    detector = settings.BIOMETRICS_DETECTOR

    def use(model: str) -> None:  # this forked process only
        settings.BIOMETRICS_MODEL = model
        settings.BIOMETRICS_DETECTOR = detector if model == models[0] else "dlib"
        settings.BIOMETRICS_YUNET_PROPOSALS = proposals and model == models[0]

    from biometrics.engine import FaceRefused, compare, embed, threshold_for, warm_up

    templates, enrol_ms, refused_enrol, results = {}, {}, {}, {}
    for model in models:
        use(model)
        warm_up(liveness=False)
        embed(faces / pairs[0][1])  # untimed: first real photo through every step
        templates[model], enrol_ms[model], refused_enrol[model], results[model] = {}, [], {}, {}
        for file in sorted({p[0] for p in pairs} | {p[1] for p in pairs}):
            start = time.perf_counter()
            try:
                templates[model][file] = embed(faces / file)
            except FaceRefused as refused:
                refused_enrol[model][file] = str(refused.code)
            enrol_ms[model].append((time.perf_counter() - start) * 1000)

    # (a, b) -> (ms, matched, distance or None, refused code or None), per model
    for index, (enrolled, probe, _genuine) in enumerate(pairs):
        for model in models if index % 2 == 0 else models[::-1]:
            if enrolled not in templates[model]:
                continue  # no template: this member could not have booked with this photo
            use(model)
            start = time.perf_counter()
            try:
                comparison = compare(templates[model][enrolled], embed((faces / probe).read_bytes()))
                outcome = (comparison.match, comparison.distance, None)
            except FaceRefused as refused:
                outcome = (False, None, str(refused.code))
            results[model][(enrolled, probe)] = ((time.perf_counter() - start) * 1000, *outcome)
    peak = peak_rss_mb()
    return {
        model: {
            "model": model,
            "threshold": threshold_for(model),
            "enrol_ms": enrol_ms[model],
            "refused_enrol": refused_enrol[model],
            "results": results[model],
            "peak_rss_mb": peak,  # both models' process
        }
        for model in models
    }


def run_naive(faces: Path, pairs: list[Pair]) -> dict:
    from deepface import DeepFace

    def verify(a: str, b: str) -> dict:
        return DeepFace.verify(str(faces / a), str(faces / b), model_name="Dlib", detector_backend="dlib")

    warm = verify(*pairs[0][:2])  # untimed: loads the model and the detector
    results = {}
    for a, b, _genuine in pairs:
        start = time.perf_counter()
        try:
            found = verify(a, b)
            outcome = (bool(found["verified"]), float(found["distance"]), None)
        except ValueError as error:  # no face found (enforce_detection)
            outcome = (False, None, str(error)[:80])
        results[(a, b)] = ((time.perf_counter() - start) * 1000, *outcome)
    return {
        "metric": warm["similarity_metric"],
        "threshold": float(warm["threshold"]),
        "results": results,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_liveness(files: list[Path]) -> dict:
    from biometrics.engine import FaceRefused, check_antispoof

    check_antispoof(files[0])  # untimed: loads MiniFASNet (ONNX, onnxruntime)
    times, verdicts = [], {}
    for file in files:
        start = time.perf_counter()
        try:
            result = check_antispoof(file.read_bytes())
            verdicts[file.name] = str(result.status)
        except FaceRefused as refused:
            verdicts[file.name] = f"refused:{refused.code}"
        times.append((time.perf_counter() - start) * 1000)
    return {"times": times, "verdicts": verdicts, "peak_rss_mb": peak_rss_mb()}


def in_own_process(function, *args):
    """Run ``function(*args)`` in a new process forked from this one; return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as executor:
        return executor.submit(function, *args).result()


# --- report ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=Path(settings.SHARED_DIR) / "faces")
    parser.add_argument(
        "--naive-pairs", type=int, default=40, help="pairs given to DeepFace.verify (default 40)"
    )
    parser.add_argument("--no-liveness", action="store_true", help="skip the anti-spoofing timing")
    parser.add_argument("--baseline-model", default="Dlib", help="today's path to compare with (Dlib)")
    parser.add_argument(
        "--yunet-proposals",
        action="store_true",
        help="ours with YuNet's proposals confirmed by HOG (BIOMETRICS_YUNET_PROPOSALS); the baseline as today",
    )
    args = parser.parse_args()
    faces = args.faces
    if not (faces / "identities.csv").is_file():
        sys.exit(f"no labelled photos at {faces}")

    ensure_recognition_weights()  # copy weights before any process imports deepface
    photos = labelled_photos(faces)
    pairs = all_pairs(photos)
    n_genuine = sum(1 for p in pairs if p[2])
    naive_sample = sample_pairs(pairs, args.naive_pairs)
    baseline = current_rss_mb()
    print(f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print(
        f"{len(photos)} photos in {faces}: {n_genuine} genuine and {len(pairs) - n_genuine} impostor pairs; "
        f"naive on {len(naive_sample)} of them ({sum(p[2] for p in naive_sample)} genuine, seed {SEED})"
    )
    print(f"each phase runs in a process forked at {baseline:.0f} MB RSS")

    proposals = args.yunet_proposals or settings.BIOMETRICS_YUNET_PROPOSALS
    detector = (
        "yunet+hog"
        if proposals
        else "hog"
        if settings.BIOMETRICS_DETECTOR == "dlib"
        else settings.BIOMETRICS_DETECTOR
    )
    print(f"ours detects with {detector}; the dlib path with HOG on the 640 px copy")
    both = in_own_process(run_ours, faces, pairs, [settings.BIOMETRICS_MODEL, args.baseline_model], proposals)
    ours, base = both[settings.BIOMETRICS_MODEL], both[args.baseline_model]
    print(
        f"ours ({ours['model']}) and baseline ({base['model']}) done, interleaved, load {os.getloadavg()}",
        flush=True,
    )
    naive = (
        in_own_process(run_naive, faces, naive_sample)
        if naive_sample
        else {"results": {}, "peak_rss_mb": float("nan"), "metric": "-", "threshold": float("nan")}
    )
    print(f"naive done, load {os.getloadavg()}", flush=True)

    genuine_of = {(a, b): g for a, b, g in pairs}
    ours_ms = [r[0] for r in ours["results"].values()]
    ours_fm, ours_fr = errors([(genuine_of[k], r[1]) for k, r in ours["results"].items()])
    base_ms = [r[0] for r in base["results"].values()]
    base_fm, base_fr = errors([(genuine_of[k], r[1]) for k, r in base["results"].items()])
    ratio = round(statistics.median(ours_ms) / statistics.median(base_ms), 2)
    ours_refused = sum(1 for r in ours["results"].values() if r[3])
    sample_keys = [(a, b) for a, b, _ in naive_sample if (a, b) in ours["results"]]
    ours_on_sample_ms = [ours["results"][k][0] for k in sample_keys]
    ours_s_fm, ours_s_fr = errors([(genuine_of[k], ours["results"][k][1]) for k in sample_keys])
    naive_ms = [r[0] for r in naive["results"].values()]
    naive_fm, naive_fr = errors([(genuine_of[k], r[1]) for k, r in naive["results"].items()])
    naive_failed = sum(1 for r in naive["results"].values() if r[3])
    n_naive_genuine = sum(1 for k in naive["results"] if genuine_of[k])
    n_ours_genuine = sum(1 for k in ours["results"] if genuine_of[k])

    def speedup(slow: list[float], fast: list[float]) -> float:
        return round(statistics.median(slow) / statistics.median(fast), 1) if slow and fast else 0.0

    print(
        f"\nenrolment embed() per photo: p50 {pct(ours['enrol_ms'], 50):.0f} ms, p95 {pct(ours['enrol_ms'], 95):.0f} ms"
    )
    for file, code in ours["refused_enrol"].items():
        print(f"  enrolment refused {file}: {code}")
    print(f"\n{'path':<58}{'pairs':>6}{'p50 ms':>9}{'p95 ms':>9}{'peak RSS MB':>13}")
    print(
        f"{'ours: pickup = probe embed() + compare(), template stored':<58}{len(ours_ms):>6}"
        f"{pct(ours_ms, 50):>9.0f}{pct(ours_ms, 95):>9.0f}{ours['peak_rss_mb']:>13.0f}"
    )
    print(
        f"{'baseline: the same with ' + base['model'] + ' (the path replaced)':<58}{len(base_ms):>6}"
        f"{pct(base_ms, 50):>9.0f}{pct(base_ms, 95):>9.0f}{base['peak_rss_mb']:>13.0f}"
    )
    print(f"ours / baseline at the median: {ratio}")
    print(
        f"{'ours, same pairs as naive':<58}{len(ours_on_sample_ms):>6}{pct(ours_on_sample_ms, 50):>9.0f}{pct(ours_on_sample_ms, 95):>9.0f}"
    )
    print(
        f"{'naive: DeepFace.verify(Dlib, dlib) on the two files':<58}{len(naive_ms):>6}"
        f"{pct(naive_ms, 50):>9.0f}{pct(naive_ms, 95):>9.0f}{naive['peak_rss_mb']:>13.0f}"
    )
    print(
        f"speedup at the median: {speedup(naive_ms, ours_ms)}x against ours on all pairs, "
        f"{speedup(naive_ms, ours_on_sample_ms)}x on the same pairs"
    )
    print("\naccuracy (false matches / impostor pairs, false rejects / genuine pairs)")
    print(
        f"baseline {base['model']} (≤ {base['threshold']:.2f}), all pairs: false matches {base_fm}/{len(base_ms) - n_ours_genuine}, "
        f"false rejects {base_fr}/{n_ours_genuine}"
    )
    print(
        f"ours {ours['model']} (≤ {ours['threshold']:.2f}), all pairs:  false matches {ours_fm}/{len(ours_ms) - n_ours_genuine}, "
        f"false rejects {ours_fr}/{n_ours_genuine}; probes refused by the quality gate: {ours_refused}"
    )
    print(
        f"ours, naive's sample:                 false matches {ours_s_fm}/{len(sample_keys) - sum(genuine_of[k] for k in sample_keys)}, "
        f"false rejects {ours_s_fr}/{sum(genuine_of[k] for k in sample_keys)}"
    )
    print(
        f"naive ({naive['metric']} ≤ {naive['threshold']}), sample:    false matches {naive_fm}/{len(naive_ms) - n_naive_genuine}, "
        f"false rejects {naive_fr}/{n_naive_genuine}; errors (no face): {naive_failed}"
    )
    wrong = [(k, r) for k, r in ours["results"].items() if r[1] != genuine_of[k]]
    for (a, b), r in wrong:
        kind = "false match" if r[1] else "false reject"
        print(
            f"  ours {kind}: {a} vs {b}, distance {r[2] if r[2] is None else round(r[2], 3)}, refused {r[3]}"
        )

    liveness = None
    if not args.no_liveness:
        spoof = sorted((faces / "spoof").glob("*.jpg")) if (faces / "spoof").is_dir() else []
        if ensure_antispoof_weights():
            liveness = in_own_process(run_liveness, [faces / f for f, _ in photos] + spoof)
            verdicts = liveness["verdicts"]
            real_photos = [verdicts[f] for f, _ in photos]
            print(
                f"\nliveness (check_antispoof, separate from the pickup above): {len(liveness['times'])} frames, "
                f"p50 {pct(liveness['times'], 50):.0f} ms, p95 {pct(liveness['times'], 95):.0f} ms, "
                f"peak RSS {liveness['peak_rss_mb']:.0f} MB; labelled (real) photos called real "
                f"{real_photos.count('real')}/{len(real_photos)}; spoof samples: "
                + ", ".join(f"{p.name} {verdicts[p.name]}" for p in spoof)
            )
            slowest = sorted(zip(liveness["times"], verdicts, strict=True), reverse=True)[:3]
            print("  slowest frames: " + ", ".join(f"{name} {ms:.0f} ms" for ms, name in slowest))
        else:
            print("\nliveness: anti-spoofing weights not found, not timed")

    # Issue 12's targets for the new path.
    goal = {
        "p50_le_60ms": pct(ours_ms, 50) <= 60,
        "p50_le_0.6x_baseline": ratio <= 0.6,
        "zero_false_matches": ours_fm == 0,
        "false_rejects_le_1": ours_fr <= 1,
    }
    print(f"\ngoal: {goal}  (load {os.getloadavg()})")
    summary = {
        "model": ours["model"],
        "detector": detector,
        "baseline_model": base["model"],
        "baseline_p50_ms": pct(base_ms, 50),
        "baseline_p95_ms": pct(base_ms, 95),
        "baseline_false_matches": base_fm,
        "baseline_false_rejects": base_fr,
        "ratio_to_baseline": ratio,
        "naive_p50_ms": pct(naive_ms, 50),
        "naive_p95_ms": pct(naive_ms, 95),
        "ours_p50_ms": pct(ours_ms, 50),
        "ours_p95_ms": pct(ours_ms, 95),
        "speedup": speedup(naive_ms, ours_ms),
        "false_matches": ours_fm,
        "false_rejects": ours_fr,
        "pairs": len(ours_ms),
        "genuine_pairs": n_ours_genuine,
        "impostor_pairs": len(ours_ms) - n_ours_genuine,
        "speedup_same_pairs": speedup(naive_ms, ours_on_sample_ms),
        "naive_pairs": len(naive_ms),
        "naive_false_matches": naive_fm,
        "naive_false_rejects": naive_fr,
        "ours_false_matches_on_naive_pairs": ours_s_fm,
        "ours_false_rejects_on_naive_pairs": ours_s_fr,
        "threshold": ours["threshold"],
        "enrol_p50_ms": pct(ours["enrol_ms"], 50),
        "ours_peak_rss_mb": round(ours["peak_rss_mb"]),
        "naive_peak_rss_mb": round(naive["peak_rss_mb"]),
        "baseline_rss_mb": round(baseline),
        "memory": "ru_maxrss of each phase's process, forked after Django set-up",
        "liveness_p50_ms": pct(liveness["times"], 50) if liveness else None,
        "liveness_p95_ms": pct(liveness["times"], 95) if liveness else None,
        "liveness_peak_rss_mb": round(liveness["peak_rss_mb"]) if liveness else None,
        "goal_met": all(goal.values()),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
