"""``manage.py biometrics_export_antispoof``: MiniFASNet to ONNX, once, at set-up.

bin/run and bin/test call it when the ONNX files are missing. PyTorch runs only in the set-up
virtualenv (``vendingstore.model_export``); this command, in the store's environment, prepares the
reference crops and puts the files in place. Without the PyTorch weights (the settings' folder)
it says so and leaves anti-spoofing unavailable: the active challenge still runs.
"""

import csv
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from biometrics.antispoof_export import REFERENCE_FILE
from biometrics.engine import FaceRefused, frame_of
from biometrics.engine.antispoof import antispoof_crops
from biometrics.engine.faces import detection_name
from biometrics.engine.weights import ANTISPOOF_FILES, ensure_antispoof_weights, weights_dir
from vendingstore.model_export import ExportEnvironmentMissing, export_run


def reference_photos(faces: Path) -> list[str]:
    """The shared spoof samples and labelled real photos (relative to ``faces``) that exist."""
    names = [f"spoof/{path.name}" for path in sorted((faces / "spoof").glob("*.jpg"))]
    identities = faces / "identities.csv"
    if identities.is_file():
        with identities.open(newline="") as rows:
            names += [row["file"] for row in csv.DictReader(rows)]
    return [name for name in names if (faces / name).is_file()]


def reference_crops(faces: Path, target: Path) -> int:
    """Write the store's own two crops of every reference photo with one usable face to ``target``,
    and which search found the faces (the crops follow its boxes)."""
    names, first, second = [], [], []
    for name in reference_photos(faces):
        try:
            frame = frame_of(faces / name)
        except FaceRefused:
            continue  # several faces, or none big enough: the store would not ask anti-spoofing
        bgr = np.ascontiguousarray(frame.rgb[:, :, ::-1])
        crops = antispoof_crops(bgr, frame.face.antispoof_area)
        names.append(name)
        first.append(crops[0])
        second.append(crops[1])
    if names:
        np.savez(
            target,
            names=np.array(names),
            crops_0=np.stack(first),
            crops_1=np.stack(second),
            detection=np.array(detection_name()),
        )
    return len(names)


class Command(BaseCommand):
    help = (
        "Export the MiniFASNet anti-spoofing weights (BIOMETRICS_ANTISPOOF_WEIGHTS_DIR) to ONNX into "
        "BIOMETRICS_DEEPFACE_HOME with the set-up virtualenv's PyTorch, recording its answers on the "
        "shared samples. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="export again even if the files exist")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if ensure_antispoof_weights() and not force:
            if options["verbosity"] > 1:
                self.stdout.write("the anti-spoofing networks are already exported")
            return
        source = Path(settings.BIOMETRICS_ANTISPOOF_WEIGHTS_DIR)
        if not all((source / name).is_file() for name in ANTISPOOF_FILES):
            self.stderr.write(f"no anti-spoofing weights in {source}: anti-spoofing stays unavailable")
            return
        target = weights_dir()
        target.mkdir(parents=True, exist_ok=True)
        # Made beside the target, so the files move into place by rename (never half a file).
        work = Path(tempfile.mkdtemp(dir=target, prefix=".antispoof-export-"))
        try:
            arguments = ["--weights", str(source), "--out", str(work)]
            if reference_crops(Path(settings.SHARED_DIR) / "faces", work / "crops.npz"):
                arguments += ["--crops", str(work / "crops.npz")]
            try:
                export_run(module="biometrics.antispoof_export", args=arguments)
            except ExportEnvironmentMissing as missing:
                raise CommandError(str(missing)) from missing
            except subprocess.CalledProcessError as failed:
                raise CommandError(f"the export failed:\n{failed.stderr}") from failed
            (target / REFERENCE_FILE).unlink(missing_ok=True)  # never an older export's answers
            for path in sorted(work.glob("*.onnx")) + sorted(work.glob(REFERENCE_FILE)):
                os.chmod(path, 0o644)
                os.replace(path, target / path.name)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"anti-spoofing networks exported to {target}"))
