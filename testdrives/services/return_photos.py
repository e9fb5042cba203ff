"""The four pictures of a returned car (front, back, left, right): taken with the phone during the
drive (booking page or API) or with the kiosk camera at the return. An operator reviews the return
from them, so a member's return needs all four (``testdrive_return`` asks ``sides_missing``)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from testdrives.errors import ReturnPhotoRefused
from testdrives.models import CarSide, ReturnCharge, ReturnPhoto, State, TestDrive
from vendingstore.uploads import limits, upload_read

SIDES: list[str] = list(CarSide.values)
# While the car is out: the phone may send (or send again) a side before the return.
PHOTOS_OPEN = [State.ON_DRIVE, State.OVERDUE]


def side_photo_check(*, upload: UploadedFile) -> bytes:
    """The picture's bytes once it passes the shared upload checks (size, format, pixels,
    integrity); raises ``PhotoRefused`` (400) with a message for the member."""
    checked = upload_read(upload=upload, limits=limits())
    return checked.data


def side_photos_store(
    *, test_drive: TestDrive, sides: Mapping[str, bytes], names: Mapping[str, str], by: User | None
) -> list[ReturnPhoto]:
    """Keep checked pictures, one per side; a side given again replaces the earlier picture.
    Call inside the caller's transaction, with the booking's row locked."""
    ReturnPhoto.objects.filter(test_drive=test_drive, side__in=list(sides)).delete()
    staff = bool(by and by.is_staff)
    return [
        ReturnPhoto.objects.create(
            test_drive=test_drive,
            side=side,
            image=ContentFile(data, name=names.get(side) or f"{side}.jpg"),
            taken_by_staff=staff,
        )
        for side, data in sides.items()
    ]


def sides_missing(*, test_drive: TestDrive, adding: Mapping[str, object] = {}) -> list[str]:
    """The sides that have no picture yet (counting those being added now), in SIDES order."""
    have = set(
        ReturnPhoto.objects.filter(test_drive=test_drive).exclude(side="").values_list("side", flat=True)
    )
    return [side for side in SIDES if side not in have and side not in adding]


def sides_missing_message(missing: list[str]) -> str:
    labels = ", ".join(str(CarSide(side).label).lower() for side in missing)
    return _("Take a photo of each side of the car before you return it. Missing: %(sides)s.") % {
        "sides": labels
    }


def side_photos_read(*, uploads: Mapping[str, UploadedFile]) -> tuple[dict[str, bytes], dict[str, str]]:
    """Check every side's upload (an unknown side is refused) and return (bytes, file names)."""
    data: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for side, upload in uploads.items():
        if side not in SIDES:
            raise ReturnPhotoRefused()
        data[side] = side_photo_check(upload=upload)
        names[side] = upload.name or f"{side}.jpg"
    return data, names


@dataclass(frozen=True)
class SideView:
    side: str
    label: str
    photo: ReturnPhoto | None


@dataclass(frozen=True)
class ReturnView:
    """What the member's booking page, the API and the operator's review show of a return."""

    sides: list[SideView]
    others: list[ReturnPhoto]
    charge: ReturnCharge | None
    charge_photos: list[ReturnPhoto]
    photos_open: bool  # the phone may still send pictures

    @property
    def sides_sent(self) -> int:
        return sum(view.photo is not None for view in self.sides)


def return_view(*, test_drive: TestDrive) -> ReturnView:
    """The return's pictures by side, the other close-ups and the charge, in three queries."""
    photos = list(ReturnPhoto.objects.filter(test_drive=test_drive))
    by_side = {photo.side: photo for photo in photos if photo.side}
    charge = ReturnCharge.objects.filter(test_drive=test_drive).select_related("payment").first()
    return ReturnView(
        sides=[SideView(side, str(CarSide(side).label), by_side.get(side)) for side in SIDES],
        others=[photo for photo in photos if not photo.side],
        charge=charge,
        charge_photos=list(charge.photos.all()) if charge else [],
        photos_open=test_drive.state in PHOTOS_OPEN,
    )
