"""Fit the landmark box YuNet's five points give (``yunet.BOX_SCALE``, ``yunet.BOX_CENTRE``).

    SHARED_DIR=/work/shared .venv/bin/python bench/face_boxes.py

dlib's 68-point model was trained on the boxes of dlib's HOG detector, so with YuNet as the
detector the box given to it should be HOG's kind of box. The rule, written before the fit and
applied as is: on every labelled shared photo where both detectors see exactly one face (the
640 px copy, as the engine looks at it), least squares of HOG's box width on (eye distance +
eyes-to-mouth distance) and of HOG's box centre on the eyes-to-mouth vector from the eyes'
midpoint; both rounded to two decimals. The spread printed after the fit is how far HOG's own
boxes wander around it (its pyramid's steps). The last line is one JSON object.
"""

import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402

from biometrics.engine.faces import _dlib_models  # noqa: E402
from biometrics.engine.images import DETECTION_MAX_SIDE, downscaled, load_reduced  # noqa: E402
from biometrics.engine.yunet import BOX_CENTRE, BOX_SCALE, detections  # noqa: E402


def main() -> None:
    faces = Path(settings.SHARED_DIR) / "faces"
    hog, _ = _dlib_models()
    widths, spans, offsets, downs, skipped = [], [], [], [], []
    with (faces / "identities.csv").open() as rows:
        for row in csv.DictReader(rows):
            rgb, _ = load_reduced((faces / row["file"]).read_bytes(), long_side=DETECTION_MAX_SIDE)
            small, _ = downscaled(rgb, DETECTION_MAX_SIDE)
            boxes, found = hog(small, 0), detections(small)
            if len(boxes) != 1 or len(found) != 1:
                skipped.append(row["file"])
                continue
            box, points = boxes[0], found[0].points
            eyes, mouth = points[0:2].mean(axis=0), points[3:5].mean(axis=0)
            widths.append(box.right() - box.left())
            spans.append(np.linalg.norm(points[1] - points[0]) + np.linalg.norm(mouth - eyes))
            offsets.append(np.array([(box.left() + box.right()) / 2, (box.top() + box.bottom()) / 2]) - eyes)
            downs.append(mouth - eyes)
    w, s, o, d = np.array(widths), np.array(spans), np.array(offsets), np.array(downs)
    scale = float(np.sum(w * s) / np.sum(s * s))
    centre = float(np.sum(o * d) / np.sum(d * d))
    ratio = w / (round(scale, 2) * s)
    miss = np.linalg.norm(o - round(centre, 2) * d, axis=1) / w
    print(f"{len(w)} photos with one face to both detectors; skipped {skipped}")
    print(f"fit: scale {scale:.3f} centre {centre:.3f}; in force: {BOX_SCALE} / {BOX_CENTRE}")
    print(f"HOG width / fitted width: min {ratio.min():.2f} p50 {np.median(ratio):.2f} max {ratio.max():.2f}")
    print(f"HOG centre from fitted centre, in HOG widths: p50 {np.median(miss):.3f} max {miss.max():.3f}")
    print(
        json.dumps(
            {
                "photos": len(w),
                "scale": round(scale, 3),
                "centre": round(centre, 3),
                "width_ratio_min": round(float(ratio.min()), 3),
                "width_ratio_max": round(float(ratio.max()), 3),
                "centre_miss_max": round(float(miss.max()), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
