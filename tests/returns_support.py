"""Pictures of a returned car for tests: one small, valid PNG per side; an earlier return of a car."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from testdrives.models import ReturnPhoto, State, TestDrive

SIDES = ("front", "back", "left", "right")


def side_png(side: str, colour: str = "grey") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return SimpleUploadedFile(f"{side}.png", buffer.getvalue(), content_type="image/png")


def four_sides() -> dict[str, SimpleUploadedFile]:
    return {side: side_png(side) for side in SIDES}


def earlier_return(td: TestDrive, *, code: str, days_before: int, odometer_km: int) -> TestDrive:
    """A reviewed drive of the same car that came back ``days_before`` days before ``td`` left,
    with its four sides photographed."""
    assert td.departed_at is not None
    back = td.departed_at - timedelta(days=days_before)
    earlier = TestDrive.objects.create(
        member=td.member,
        vehicle=td.vehicle,
        car_model=td.car_model,
        paint=td.paint,
        store=td.store,
        state=State.COMPLETED,
        slot_start=back - timedelta(hours=5),
        slot_end=back - timedelta(hours=4, minutes=30),
        departed_at=back - timedelta(hours=4),
        returned_at=back,
        pickup_code=code,
        odometer_in_km=odometer_km,
        energy_in_pct=90,
    )
    for side in SIDES:
        ReturnPhoto.objects.create(test_drive=earlier, side=side, image=side_png(side, "blue"))
    return earlier
