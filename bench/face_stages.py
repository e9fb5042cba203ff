"""Where a pickup decision's time goes: each stage of ``embed()`` timed on its own.

    DJANGO_SETTINGS_MODULE=vendingstore.settings.base .venv/bin/python bench/face_stages.py
    ... bench/face_stages.py --rounds 5

On the labelled photos of ``settings.SHARED_DIR / "faces"`` as they are (phone and press photos,
up to 2,500 px) and as the kiosk camera sends them (each padded to a 640×480 JPEG, quality 90),
the stages of the store's path are run one after the other, as ``frame_of`` and ``accept`` run
them, each timed: decode (reduced when the JPEG is large), the ≤ 640 px detection copy, dlib's HOG
detection on it, the 68 landmarks, the finer decode a small face needs, dlib's 150 px chip and the
quality gate, the 112 px ArcFace crop and SFace's forward pass; then the whole ``embed()`` of the
same bytes, as the pickup runs it, timed by the wall clock and in this thread's CPU time (close to
a quiet machine's wall time when the machine is loaded). The stages are always HOG's detection
on the whole copy; the whole ``embed()`` follows the settings (``BIOMETRICS_YUNET_PROPOSALS=true``
in the environment times YuNet's proposals). Models are loaded and run once first.
Every photo goes through ``--rounds`` times, interleaved; the medians (per stage, over photos and
rounds) are printed, and the last line is one JSON object with them.
"""

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.base")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

STAGES = ("decode", "shrink", "detect", "landmarks", "finer_decode", "gate", "align", "forward", "embed")
# The whole embed() again in CPU time (this thread's): on a loaded machine the wall clock also
# counts the time other processes held the core; CPU time is close to a quiet machine's wall time.
EMBED_CPU = "embed_cpu"


def kiosk_frame(path: Path) -> bytes:
    """The photo as the kiosk camera sends it: upright, padded to 640×480, JPEG quality 90."""
    picture = ImageOps.pad(ImageOps.exif_transpose(Image.open(path)).convert("RGB"), (640, 480))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def timed(times: dict[str, list[float]], stage: str, function: Callable[..., Any], *args: Any) -> Any:
    start = time.perf_counter()
    result = function(*args)
    times[stage].append((time.perf_counter() - start) * 1000)
    return result


def stages_of(data: bytes, times: dict[str, list[float]]) -> None:
    """``frame_of`` and ``accept`` taken apart, each stage timed into ``times``."""
    from biometrics.engine import FaceRefused, embed
    from biometrics.engine.embedding import FACE_DETAIL_PX, aligned_crop
    from biometrics.engine.faces import _boxes_on, face_at, mean_eye_aspect_ratio
    from biometrics.engine.images import DETECTION_MAX_SIDE, downscaled, load_reduced
    from biometrics.engine.quality import check_crop
    from biometrics.engine.sface import arcface_crop, sface_vector

    rgb, scale = timed(times, "decode", load_reduced, data)
    small, factor = timed(times, "shrink", downscaled, rgb, DETECTION_MAX_SIDE)
    boxes = timed(times, "detect", _boxes_on, small)
    largest = max(boxes, key=lambda box: box[2] - box[0])
    face = timed(times, "landmarks", face_at, rgb, tuple(v * factor for v in largest))
    if scale > 1 and face.width < FACE_DETAIL_PX:
        finer = scale  # as embedding.frame_of: the coarsest scale that gives the face 150 px
        while finer > 1 and face.width * scale / finer < FACE_DETAIL_PX:
            finer //= 2
        finer_rgb, finer = timed(times, "finer_decode", lambda: load_reduced(data, scale=finer))
        face = face_at(finer_rgb, tuple(v * scale / finer for v in face.box))  # type: ignore[arg-type]
        rgb = finer_rgb
    else:
        times["finer_decode"].append(0.0)
    start = time.perf_counter()
    chip = aligned_crop(rgb, face)
    grey = np.asarray(np.dot(chip[..., :3], [0.299, 0.587, 0.114]), dtype=np.uint8)
    check_crop(grey, mean_eye_aspect_ratio(face))
    times["gate"].append((time.perf_counter() - start) * 1000)
    crop = timed(times, "align", arcface_crop, rgb, face)
    timed(times, "forward", sface_vector, crop)
    start_cpu = time.thread_time()
    try:
        timed(times, "embed", embed, data)
    except FaceRefused:
        times["refused"].append(0.0)  # the stages above ran; embed() refused it (a face under 80 px)
        return
    times[EMBED_CPU].append((time.thread_time() - start_cpu) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=Path(settings.SHARED_DIR) / "faces")
    parser.add_argument("--rounds", type=int, default=3, help="times each photo goes through (default 3)")
    args = parser.parse_args()
    if not (args.faces / "identities.csv").is_file():
        sys.exit(f"no labelled photos at {args.faces}")

    from biometrics.engine import embed, warm_up

    settings.BIOMETRICS_MODEL = "SFace"
    warm_up(liveness=False)
    files = sorted(
        line.split(",")[0] for line in (args.faces / "identities.csv").read_text().splitlines()[1:]
    )
    sets = {
        "photos": [(args.faces / name).read_bytes() for name in files],
        "kiosk": [kiosk_frame(args.faces / name) for name in files],
    }
    embed(sets["photos"][0])  # untimed: first real photo through every step
    print(f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    summary: dict[str, Any] = {}
    for label, images in sets.items():
        times: dict[str, list[float]] = {stage: [] for stage in (*STAGES, EMBED_CPU, "refused")}
        for _ in range(args.rounds):
            for data in images:
                stages_of(data, times)
        medians = {stage: round(statistics.median(times[stage]), 1) for stage in (*STAGES, EMBED_CPU)}
        summary[label] = medians
        parts = ", ".join(
            f"{stage} {ms}" for stage, ms in medians.items() if stage not in {"embed", EMBED_CPU}
        )
        print(
            f"{label} ({len(images)} × {args.rounds}): median ms {parts}; whole embed() {medians['embed']}, "
            f"in CPU time {medians[EMBED_CPU]} "
            f"(refused by the gate, not in embed: {len(times['refused']) // args.rounds})"
        )
    summary["load"] = os.getloadavg()
    summary["machine"] = f"{platform.machine()} {os.cpu_count()} cores"
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
