"""The model, the photos and the catalogue come from tests/fixtures/snapcar.py (a plugin: see
tests/conftest.py)."""

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def upload() -> Callable[[bytes, str], SimpleUploadedFile]:
    def make(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, data, "image/jpeg")

    return make
