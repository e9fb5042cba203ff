"""Times one scale's cases for bench/scale.py (run inside Django, against a built database).

Every case runs in a transaction that is rolled back: bookings and sweeps change nothing that
the next run (or the next case) would see, and what they queue on commit is never sent.
"""

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from bench_scale_build import ADMIN, MEMBER_EMAIL, model
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

Case = Callable[[], object]


class Rollback(Exception):
    pass


def measure(fn: Case, repeat: int) -> dict:
    def once() -> tuple[float, int, object]:
        connection.queries_log.clear()  # it keeps 9,000: a full log would count nothing
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                out = fn()
                took = time.perf_counter() - began
                raise Rollback
        except Rollback:
            return took * 1000, len(queries), out

    once()  # warm-up: templates, connections, caches of the process
    runs = [once() for _ in range(repeat)]
    ms = statistics.median(r[0] for r in runs)
    status = getattr(runs[-1][2], "status_code", None)
    row = {"ms": round(ms, 2), "queries": runs[-1][1]}
    if status is not None:
        row["status"] = status
        if status >= 400:
            raise RuntimeError(f"a case answered {status}: {runs[-1][2].content[:400]!r}")
    return row


def get(client: Client, url: str) -> Case:
    return lambda: client.get(url)


def time_all(*, scale: int, repeat: int) -> dict:
    User = get_user_model()
    TestDrive, Member, Vehicle = (
        model(a, n) for a, n in (("testdrives", "TestDrive"), ("members", "Member"), ("fleet", "Vehicle"))
    )
    Store, CarModel, CreditReport = (
        model(a, n) for a, n in (("fleet", "Store"), ("fleet", "CarModel"), ("members", "CreditReport"))
    )
    now = timezone.now()

    staff = Client()
    staff.force_login(User.objects.get(username=ADMIN))
    customer = Client()
    bench_member = Member.objects.get(user__email=MEMBER_EMAIL)
    customer.force_login(bench_member.user)
    # Valid for 30 days from the build; a database kept longer gets a fresh report date.
    CreditReport.objects.filter(member=bench_member).update(
        fetched_at=now, expires_at=now + timedelta(days=30)
    )

    store = Store.objects.order_by("pk").first()
    old = TestDrive.objects.filter(state="completed").order_by("pk")[100]
    someone = Member.objects.exclude(pk=bench_member.pk).order_by("pk")[10]
    surname = someone.full_name.split()[0]
    vehicle = Vehicle.objects.order_by("pk")[5]
    # A model the bench member has never driven, with a car in the first store.
    car_model = CarModel.objects.filter(vehicles__store=store).order_by("pk").first()
    paint = vehicle.paint if vehicle.car_model_id == car_model.pk else car_model.paints.first()
    month_ago = (now - timedelta(days=40)).astimezone(timezone.get_current_timezone())

    from testdrives.admin.testdrive import TestDriveAdmin

    if getattr(TestDriveAdmin, "date_hierarchy", None):
        one_month = f"?slot_start__year={month_ago.year}&slot_start__month={month_ago.month}"
    else:
        one_month = "?slot=last_month"
    cases: dict[str, Case] = {
        "admin: bookings list": get(staff, "/admin/testdrives/testdrive/"),
        "admin: bookings search name": get(
            staff, f"/admin/testdrives/testdrive/?q={someone.full_name.replace(' ', '+')}"
        ),
        "admin: bookings search code": get(staff, f"/admin/testdrives/testdrive/?q={old.pickup_code}"),
        "admin: bookings filter state+store": get(
            staff, f"/admin/testdrives/testdrive/?state__exact=no_show&store__id__exact={store.pk}"
        ),
        "admin: bookings one month": get(staff, f"/admin/testdrives/testdrive/{one_month}"),
        "admin: bookings page 50": get(staff, "/admin/testdrives/testdrive/?p=50"),
        "admin: members list": get(staff, "/admin/members/member/"),
        "admin: members search name": get(
            staff, f"/admin/members/member/?q={someone.full_name.replace(' ', '+')}"
        ),
        "admin: members search surname": get(staff, f"/admin/members/member/?q={surname}"),
        "admin: members filter tier": get(staff, "/admin/members/member/?tier__exact=super"),
        "admin: vehicles list": get(staff, "/admin/fleet/vehicle/"),
        "admin: vehicles search VIN": get(staff, f"/admin/fleet/vehicle/?q={vehicle.vin[-8:]}"),
        "admin: vehicles filter status+store": get(
            staff, f"/admin/fleet/vehicle/?status__exact=stored&store__id__exact={store.pk}"
        ),
        "admin: notifications list": get(staff, "/admin/testdrives/notification/"),
    }
    cases.update(sweep_cases(now))
    day = (now + timedelta(days=2)).astimezone(timezone.get_current_timezone()).date()
    slots_url = (
        f"/api/v1/testdrives/slots/?store={store.slug}&model={car_model.slug}&paint={paint.pk}&date={day}"
    )
    cases["booking: slots"] = get(customer, slots_url)
    slots = customer.get(slots_url).json()
    slot = next(s["starts_at"] for s in slots if s["left"] > 0)
    cases["booking: book"] = lambda: customer.post(
        "/api/v1/testdrives/",
        {"model": car_model.slug, "paint": paint.pk, "store": store.slug, "slot_start": slot},
        content_type="application/json",
    )
    cases["booking: eligibility"] = get(customer, f"/api/v1/me/eligibility/?model={car_model.slug}")
    anonymous = Client()
    cases["catalogue: page"] = get(anonymous, "/")
    cases["catalogue: API list"] = get(anonymous, "/api/v1/models/")
    cases["tier batch: 500 members"] = tier_batch_case()

    results = {}
    for name, fn in cases.items():
        results[name] = measure(fn, repeat)
    results["_rows"] = {
        "test_drives": TestDrive.objects.count(),
        "notifications": model("testdrives", "Notification").objects.count(),
        "members": Member.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "car_models": CarModel.objects.count(),
        "stores": Store.objects.count(),
    }
    return {k: v for k, v in results.items() if k != "_rows"} | {"_rows": results["_rows"]}


def sweep_cases(now) -> dict[str, Case]:
    """Each sweep of the test-drive beat on its own, then every other beat task but the heartbeat."""
    from testdrives.services import sweeps

    cases: dict[str, Case] = {}
    for name in (
        "sweep_expired_payments",
        "sweep_no_shows",
        "sweep_abandoned",
        "sweep_overdue",
        "sweep_overdue_holds",
        "sweep_reminders",
        "sweep_lost_messages",
    ):
        fn = getattr(sweeps, name, None)
        if fn is not None:
            cases[f"sweep: {name}"] = lambda fn=fn: fn(now=now)
    from celery import current_app

    current_app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = entry["task"]
        if task.endswith(("heartbeat", "testdrives_sweep", "members_reevaluate_tiers")):
            continue
        if task in current_app.tasks:
            cases[f"beat: {task.rsplit('.', 1)[-1]}"] = lambda task=task: current_app.tasks[task].run()
    return cases


def tier_batch_case() -> Case:
    from members.tasks import member_reevaluate_tier_batch

    Member = model("members", "Member")
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True)[:500])
    return lambda: member_reevaluate_tier_batch.run(ids)
