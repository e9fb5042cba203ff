"""Demo operations room: one user per role, on duty all day for every store, and a scene that fills
the console (a returned car awaiting review, with photos and its last known condition, and a
purchase order in progress). Idempotent: an existing user keeps its password and groups;
``bin/run`` prints the logins."""

import io
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from PIL import Image, ImageDraw

from fleet.models import Store, Vehicle, VehicleHold, VehicleStatus
from members.demo import MEMBERS
from members.models import Member
from ops.models import Duty
from ops.roles import roles_sync
from testdrives.models import PickupPhoto, PurchaseOrder, ReturnPhoto, State, TestDrive
from testdrives.services.purchase import testdrive_purchase
from testdrives.services.purchase_order import purchase_order_advance

PASSWORD = "vendingstore-ops"
# username, group, on duty (alerts), receives escalations
USERS = [
    ("operator", "operator", True, False),
    ("manager", "manager", True, True),
    ("auditor", "auditor", False, False),
]


def demo_load_ops() -> dict[str, int]:
    roles_sync()
    created = 0
    for username, group, on_duty, escalations in USERS:
        user, new = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@demo.vendingstore.cn"}
        )
        if new:
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            created += 1
        if on_duty and not Duty.objects.filter(user=user).exists():
            duty = Duty.objects.create(user=user, starts=time(0), ends=time(0), escalations=escalations)
            duty.stores.set(Store.objects.all())
    return {"users": created, **demo_load_ops_scene()}


# --- A day in the store: every queue and panel of the console has something in it -------------
# Fixed codes make the set-up idempotent: a code already there means the scene was loaded before.
PREVIOUS_CODE, RETURNED_CODE, BOUGHT_CODE = "DEMOPREV", "DEMORETN", "DEMOBUY1"
SIDE_COLOURS = {"front": "#8fa3b8", "back": "#7d8f9f", "left": "#9aaec1", "right": "#a7b7c7"}


def _car_picture(side: str, *, scratch: bool = False) -> ContentFile:
    """A stand-in photo of one side of the car (a real store has the member's)."""
    image = Image.new("RGB", (480, 320), "#e9edf1")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 110, 440, 250), radius=40, fill=SIDE_COLOURS.get(side, "#9aaec1"))
    draw.ellipse((90, 220, 170, 300), fill="#222")
    draw.ellipse((310, 220, 390, 300), fill="#222")
    draw.text((20, 20), side.upper(), fill="#222")
    if scratch:
        draw.line((300, 150, 390, 175), fill="#c0392b", width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=f"{side}.png")


def _free_cars(store: Store) -> list[Vehicle]:
    """Stored cars of ``store`` never booked: the scene takes two of them."""
    held = VehicleHold.objects.filter(vehicle=OuterRef("pk"), released_at__isnull=True)
    return list(
        Vehicle.objects.filter(store=store, status=VehicleStatus.STORED, test_drives__isnull=True)
        .exclude(Exists(held))
        .order_by("pk")[:2]
    )


def _drive(
    car: Vehicle, member: Member, *, code: str, state: str, left: datetime, back: datetime
) -> TestDrive:
    return TestDrive.objects.create(
        member=member,
        vehicle=car,
        car_model=car.car_model,
        paint=car.paint,
        store=car.store,
        state=state,
        slot_start=left - timedelta(minutes=30),
        slot_end=left,
        departed_at=left,
        due_back_at=left + timedelta(hours=settings.TEST_DRIVE_HOURS),
        returned_at=back,
        bay_left_at=back,
        pickup_code=code,
        identity_method="face",
    )


def _returned_for_review(car: Vehicle, member: Member, other: Member, now: datetime) -> TestDrive:
    """The car's previous drive, reviewed, then this member's drive of it, back an hour ago with its
    four sides (a new scratch on the back) and a close-up they reported at pickup."""
    previous = _drive(
        car,
        other,
        code=PREVIOUS_CODE,
        state=State.COMPLETED,
        left=now - timedelta(days=3),
        back=now - timedelta(days=2),
    )
    previous.odometer_out_km, previous.odometer_in_km = car.odometer_km, car.odometer_km + 96
    previous.energy_out_pct, previous.energy_in_pct = 100, 88
    previous.finished_at = now - timedelta(days=2)
    previous.save()
    for side in SIDE_COLOURS:
        ReturnPhoto.objects.create(test_drive=previous, side=side, image=_car_picture(side))
    td = _drive(
        car,
        member,
        code=RETURNED_CODE,
        state=State.RETURNED,
        left=now - timedelta(days=1),
        back=now - timedelta(hours=1),
    )
    td.odometer_out_km, td.odometer_in_km = previous.odometer_in_km, previous.odometer_in_km + 212
    td.energy_out_pct, td.energy_in_pct = 88, 41
    td.damage_noted = "Scratch on the rear bumper, not mine"
    td.save()
    for side in SIDE_COLOURS:
        ReturnPhoto.objects.create(test_drive=td, side=side, image=_car_picture(side, scratch=side == "back"))
    PickupPhoto.objects.create(
        test_drive=td, image=_car_picture("front"), note="Small chip on the windscreen"
    )
    car.odometer_km, car.energy_level_pct = td.odometer_in_km, 41
    car.save(update_fields=["odometer_km", "energy_level_pct", "updated_at"])
    # Held until the review, as every returned car is (it could find damage).
    VehicleHold.objects.create(
        vehicle=car,
        booking_id=td.pk,
        starts_at=td.slot_start,
        ends_at=now + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS),
    )
    return td


def _order_in_progress(car: Vehicle, member: Member, by: User, now: datetime) -> PurchaseOrder:
    """A drive returned and reviewed yesterday whose member bought the car; its contract is signed,
    the invoice (fapiao) comes next."""
    td = _drive(
        car,
        member,
        code=BOUGHT_CODE,
        state=State.RETURNED,
        left=now - timedelta(days=2),
        back=now - timedelta(days=1),
    )
    td.odometer_out_km, td.odometer_in_km = car.odometer_km, car.odometer_km + 58
    td.save()
    order = testdrive_purchase(test_drive=td, member=member, method="full")
    return purchase_order_advance(order=order, by=by, note="signed online (demo)")


def demo_load_ops_scene() -> dict[str, int]:
    """A returned car awaiting review (with the last known condition to compare) and a purchase
    order in progress, at the first store. Idempotent; skipped when the store has no two free cars
    or the demo members are missing."""
    if TestDrive.objects.filter(pickup_code__in=[RETURNED_CODE, BOUGHT_CODE]).exists():
        return {"scenes": 0}
    store = Store.objects.order_by("name").first()
    members = {m.user.email: m for m in Member.objects.filter(user__email__in=[e for e, *_ in MEMBERS])}
    manager = get_user_model().objects.filter(username="manager").first()
    cars = _free_cars(store) if store else []
    if len(cars) < 2 or len(members) < 2 or manager is None:
        return {"scenes": 0}
    super_member, basic_member = (members[email] for email, *_ in MEMBERS)
    now = timezone.now()
    with transaction.atomic():
        _returned_for_review(cars[0], super_member, basic_member, now)
        _order_in_progress(cars[1], super_member, manager, now)
    return {"scenes": 2}
