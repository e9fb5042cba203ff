"""Snap-a-car fixtures: the exported model, real car photos from ../shared/cars, a small catalogue.

The photos are test data only (see ../shared/cars/README.md): read from there, never copied into
the repository; tests that need them skip with the reason when the folder is absent.
"""

import io
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fleet.models import CarModel, CarPhoto
from snapcar.model_file import model_export
from snapcar.services import snapcar_index_photo, snapcar_train
from tests.factories import BrandFactory, CarModelFactory, PaintFactory

CARS = Path(settings.SHARED_DIR) / "cars"
FACES = Path(settings.SHARED_DIR) / "faces"

# A small catalogue from the shared photos: the store's photo(s) of each model, and another
# photo of the same model that the store does not have (a customer's street photo).
CATALOGUE = {
    "volvo-240": ("Volvo", "240", ["00025.jpg", "00047.jpg"], "00030.jpg"),
    "bentley-continental-gt": ("Bentley", "Continental GT", ["00050.jpg"], "00055.jpg"),
    "audi-tts": ("Audi", "TTS Coupe", ["00001.jpg"], "00017.jpg"),
    "toyota-sequoia": ("Toyota", "Sequoia", ["00012.jpg"], "00045.jpg"),
    "dodge-charger-srt8": ("Dodge", "Charger SRT-8", ["00038.jpg"], "00054.jpg"),
    "ferrari-458": ("Ferrari", "458 Italia", ["00036.jpg"], None),
}


@pytest.fixture(scope="session")
def snapcar_model() -> Path:
    """The ONNX model, exported from the wheel on first use (bin/test exports it before)."""
    path, _ = model_export()
    return path


def car_photo_bytes(name: str) -> bytes:
    if not (CARS / "labels.csv").exists():
        pytest.skip(f"needs the real car photos in {CARS} (shared test data, not in the repository)")
    return (CARS / name).read_bytes()


def face_photo_bytes(name: str = "img1.jpg") -> bytes:
    if not (FACES / name).exists():
        pytest.skip(f"needs the photos of people in {FACES} (shared test data, not in the repository)")
    return (FACES / name).read_bytes()


def rephotograph(data: bytes) -> bytes:
    """A phone photo of a printed or on-screen picture: dark border, tilt, brightness, JPEG 60."""
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    _h, w = rgb.shape[:2]
    border = w // 10
    canvas = cv2.copyMakeBorder(rgb, border, border, border, border, cv2.BORDER_CONSTANT, value=(30, 30, 30))
    ch, cw = canvas.shape[:2]
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    dst = np.float32([[cw * 0.04, ch * 0.03], [cw * 0.97, 0], [cw, ch * 0.96], [0, ch]])
    shot = cv2.warpPerspective(canvas, cv2.getPerspectiveTransform(src, dst), (cw, ch))
    shot = np.clip(shot.astype(np.float32) * 0.85 + 20, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(shot).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


@pytest.fixture
def catalogue(snapcar_model: Path) -> dict[str, CarModel]:
    """Listed models with their photos indexed and the classifier fitted; slug -> model."""
    models: dict[str, CarModel] = {}
    for slug, (brand, name, files, _other) in CATALOGUE.items():
        car_model = CarModelFactory(
            brand=BrandFactory(name=brand, slug=slug + "-brand"), name=name, slug=slug
        )
        PaintFactory(car_model=car_model, name="Polar White", name_zh="极地白", hex="#F2F2F0", position=0)
        PaintFactory(car_model=car_model, name="Racing Red", name_zh="赛道红", hex="#B3261E", position=1)
        PaintFactory(car_model=car_model, name="Night Black", name_zh="夜黑", hex="#16181B", position=2)
        for file in files:
            photo = CarPhoto.objects.create(
                car_model=car_model, image=SimpleUploadedFile(file, car_photo_bytes(file), "image/jpeg")
            )
            snapcar_index_photo(photo_id=photo.pk)
        models[slug] = car_model
    snapcar_train()
    return models


@pytest.fixture
def upload() -> Callable[[bytes, str], SimpleUploadedFile]:
    def make(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, data, "image/jpeg")

    return make
