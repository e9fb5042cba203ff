"""Builds one scale's history for bench/scale.py (run inside Django, on an empty migrated database).

The small tables (brands, models, paints, stores, towers, bays, vehicles) go through
``bulk_create``; members, users, credit reports, test drives, holds and notifications are
generated on the server with ``INSERT ... SELECT`` over ``generate_series``, which writes a
million rows in seconds. Table and column names come from the models' ``_meta``, so the SQL
follows a model that moves to another app. Everything derives from the seed: the same scale
gives the same data.
"""

import random
from datetime import date, time, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

PASSWORD = "bench-scale-password"
ADMIN = "bench-admin"
MEMBER_EMAIL = "bench-member@example.com"
BODY = ["sedan", "suv", "hatchback", "mpv", "coupe"]
POWER = ["bev", "phev", "ice", "hev"]
PAINTS = [
    ("Snow White", "雪白", "#f4f4f2"),
    ("Night Black", "夜黑", "#141414"),
    ("Ocean Blue", "海蓝", "#1d4f91"),
]
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q


def model(label: str, name: str):
    """The model wherever it lives now (VehicleHold may move from testdrives to fleet)."""
    for app in (label, "fleet", "testdrives", "members"):
        try:
            return apps.get_model(app, name)
        except LookupError:
            continue
    raise LookupError(name)


def table(label: str, name: str) -> str:
    return connection.ops.quote_name(model(label, name)._meta.db_table)


def column(label: str, name: str, field: str) -> str:
    return connection.ops.quote_name(model(label, name)._meta.get_field(field).column)


def build(*, scale: int, seed: int, sizes: dict[str, int], stores: int, brands: int) -> None:
    rng = random.Random(seed)
    with transaction.atomic():
        store_rows = _stores(stores)
        models = _catalogue(rng, sizes["models"] * scale, brands)
        _vehicles(rng, sizes["vehicles"] * scale, models, store_rows)
        _people()
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed / 1000])
        _members(cur, sizes["members"] * scale)
        _drives(cur, sizes["drives"] * scale, sizes["live"] * scale)
        _notifications(cur)
    _bench_member()


def _stores(count: int) -> list:
    Store, StoreHours, Tower, Bay = (model("fleet", n) for n in ("Store", "StoreHours", "Tower", "Bay"))
    stores = Store.objects.bulk_create(
        Store(
            name=f"Bench Store {i:02d}",
            name_zh=f"测试店 {i:02d}",
            slug=f"bench-{i:02d}",
            city=f"City {i % 17}",
            address=f"{i} Bench Road",
            time_zone="Asia/Shanghai",
        )
        for i in range(count)
    )
    StoreHours.objects.bulk_create(
        StoreHours(store=s, weekday=d, opens=time(9), closes=time(21)) for s in stores for d in range(7)
    )
    towers = Tower.objects.bulk_create(
        Tower(store=s, code=f"bench-t{i:02d}", name=f"Tower {i:02d}", levels=20, bays_per_level=10)
        for i, s in enumerate(stores)
    )
    bays = []
    for tower in towers:
        bays += [Bay(tower=tower, level=0, position=p, kind="delivery") for p in range(2)]
        bays += [
            Bay(tower=tower, level=lv, position=p, kind="storage") for lv in range(1, 21) for p in range(10)
        ]
    Bay.objects.bulk_create(bays, batch_size=2000)
    return stores


def _catalogue(rng: random.Random, count: int, brand_count: int) -> list:
    Brand, CarModel, Paint = (model("fleet", n) for n in ("Brand", "CarModel", "Paint"))
    brands = Brand.objects.bulk_create(
        Brand(name=f"Brand {i:03d}", name_zh=f"品牌 {i:03d}", slug=f"brand-{i:03d}", country="CN")
        for i in range(brand_count)
    )
    models = []
    for i in range(count):
        power = POWER[i % len(POWER)]
        electric = power in ("bev", "phev")
        models.append(
            CarModel(
                brand=brands[i % brand_count],
                name=f"Model {i:05d}",
                name_zh=f"车型 {i:05d}",
                slug=f"model-{i:05d}",
                model_year=2024 + i % 3,
                body_type=BODY[i % len(BODY)],
                powertrain=power,
                seats=5,
                power_kw=rng.randint(70, 400),
                electric_range_km=rng.randint(80, 700) if electric else None,
                msrp_cny=rng.randint(90, 600) * 1000,
                description="A car for the scale benchmark.",
            )
        )
    models = CarModel.objects.bulk_create(models, batch_size=2000)
    Paint.objects.bulk_create(
        (
            Paint(car_model=m, name=name, name_zh=zh, hex=hex_, position=p)
            for m in models
            for p, (name, zh, hex_) in enumerate(PAINTS)
        ),
        batch_size=5000,
    )
    return models


def _vehicles(rng: random.Random, count: int, models: list, stores: list) -> None:
    Paint, Bay, Vehicle = (model("fleet", n) for n in ("Paint", "Bay", "Vehicle"))
    paints: dict[int, list[int]] = {}
    for pk, model_id in Paint.objects.values_list("pk", "car_model_id"):
        paints.setdefault(model_id, []).append(pk)
    free: dict[int, list[int]] = {}
    for pk, store_id in (
        Bay.objects.filter(kind="storage").values_list("pk", "tower__store_id").order_by("pk")
    ):
        free.setdefault(store_id, []).append(pk)
    vehicles = []
    for i in range(count):
        car_model = models[i % len(models)]
        store = stores[i % len(stores)]
        vin = "LBS" + "".join(rng.choice(VIN_CHARS) for _ in range(8)) + f"{i:06d}"
        vehicles.append(
            Vehicle(
                vin=vin,
                car_model=car_model,
                paint_id=paints[car_model.pk][i % 3],
                store=store,
                bay_id=free[store.pk].pop(),
                status="stored",
                odometer_km=rng.randint(10, 5000),
            )
        )
    Vehicle.objects.bulk_create(vehicles, batch_size=2000)


def _people() -> None:
    User = get_user_model()
    User.objects.create_superuser(ADMIN, "bench-admin@example.com", PASSWORD)


def _members(cur, count: int) -> None:
    user, member, report = table("auth", "User"), table("members", "Member"), table("members", "CreditReport")
    cur.execute(
        f"""
        INSERT INTO {user} (password, is_superuser, username, first_name, last_name, email,
                            is_staff, is_active, date_joined)
        SELECT '!', false, 'm' || g, '', '', 'member' || g || '@example.com', false, true,
               now() - (random() * interval '730 days')
        FROM generate_series(1, %s) g
        """,
        [count],
    )
    surnames = (
        "ARRAY['Wang','Li','Zhang','Liu','Chen','Yang','Huang','Zhao','Wu','Zhou','Xu','Sun','Ma','Zhu']"
    )
    given = "ARRAY['Wei','Fang','Na','Min','Jing','Li','Qiang','Lei','Jun','Yan','Jie','Tao','Ming','Xiu']"
    cur.execute(
        f"""
        INSERT INTO {member} (full_name, mobile, preferred_language, joined_at, user_id,
                              id_number_encrypted, id_number_last4, licence_number_encrypted,
                              licence_number_last4, tier, date_of_birth, licence_expires_on)
        SELECT ({surnames})[1 + (u.id::bigint * 7) %% 14] || ' ' || ({given})[1 + (u.id::bigint * 13) %% 14] || ' '
                   || lpad(u.id::text, 6, '0'),
               '139' || lpad(u.id::text, 8, '0'),
               CASE WHEN u.id %% 3 = 0 THEN 'en' ELSE 'zh-hans' END,
               u.date_joined, u.id, '', '', '', '',
               CASE WHEN u.id %% 4 = 0 THEN 'super' ELSE 'standard' END,
               date '1970-01-01' + (u.id %% 12000),
               date '2030-01-01'
        FROM {user} u WHERE u.username ~ '^m[0-9]+$'
        """,
        [],
    )
    cur.execute(
        f"""
        INSERT INTO {report} (provider, score, band, reference, fetched_at, expires_at, member_id)
        SELECT 'sandbox', s.score,
               CASE WHEN s.score < 550 THEN 'poor' WHEN s.score < 600 THEN 'fair'
                    WHEN s.score < 650 THEN 'good' WHEN s.score < 700 THEN 'very_good'
                    ELSE 'excellent' END,
               '', s.at, s.at + interval '30 days', s.id
        FROM (SELECT id, 350 + (id::bigint * 37) %% 600 AS score, joined_at + interval '1 day' AS at
              FROM {member}) s
        """,
        [],
    )


def _drives(cur, count: int, live: int) -> None:
    """Finished drives over the past two years (65 % completed, 15 % cancelled, 20 % no-show),
    each with its released hold; plus ``live`` scheduled bookings ahead, one per car."""
    td, hold = table("testdrives", "TestDrive"), table("testdrives", "VehicleHold")
    member, vehicle = table("members", "Member"), table("fleet", "Vehicle")
    hold_vehicle, hold_drive = (
        column("testdrives", "VehicleHold", "vehicle"),
        column("testdrives", "VehicleHold", "test_drive"),
    )
    cur.execute(f"CREATE TEMP TABLE bench_m AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM {member}")
    cur.execute(
        f"""CREATE TEMP TABLE bench_v AS SELECT row_number() OVER (ORDER BY id) AS n, id, car_model_id,
            paint_id, store_id FROM {vehicle}"""
    )
    cur.execute("SELECT count(*) FROM bench_m")
    members = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM bench_v")
    vehicles = cur.fetchone()[0]
    cur.execute(
        f"""
        INSERT INTO {td} (state, slot_start, slot_end, departed_at, due_back_at, returned_at, finished_at,
                          pickup_code, return_code, fee_cny, late_fee_cny, identity_method,
                          damage_noted, inspection_notes, created_at, updated_at,
                          car_model_id, member_id, paint_id, store_id, vehicle_id)
        SELECT x.state, x.slot, x.slot + interval '15 minutes',
               CASE WHEN x.state = 'completed' THEN x.slot + interval '20 minutes' END,
               CASE WHEN x.state = 'completed' THEN x.slot + interval '72 hours 20 minutes' END,
               CASE WHEN x.state = 'completed' THEN x.slot + interval '70 hours' END,
               x.slot + interval '3 days',
               'H' || upper(lpad(to_hex(x.g), 8, '0')),
               CASE WHEN x.state = 'completed' THEN 'R' || upper(lpad(to_hex(x.g), 8, '0')) END,
               0, 0,
               CASE WHEN x.state <> 'completed' THEN '' WHEN x.g %% 3 = 0 THEN 'staff' ELSE 'face' END,
               '', '', x.slot - interval '2 days', x.slot + interval '3 days',
               v.car_model_id, m.id, v.paint_id, v.store_id, v.id
        FROM (SELECT g,
                     CASE WHEN g %% 20 < 13 THEN 'completed' WHEN g %% 20 < 16 THEN 'cancelled'
                          ELSE 'no_show' END AS state,
                     date_trunc('minute', now() - interval '5 days' - (random() * interval '725 days'))
                         AS slot
              FROM generate_series(1, %s) g) x
        JOIN bench_m m ON m.n = 1 + (x.g::bigint * 7919) %% %s
        JOIN bench_v v ON v.n = 1 + (x.g::bigint * 104729) %% %s
        """,
        [count, members, vehicles],
    )
    # Ahead: scheduled bookings in the next 14 days on distinct cars, their holds not released.
    cur.execute(
        f"""
        INSERT INTO {td} (state, slot_start, slot_end, pickup_code, fee_cny, late_fee_cny,
                          identity_method, damage_noted, inspection_notes, created_at, updated_at,
                          car_model_id, member_id, paint_id, store_id, vehicle_id)
        SELECT 'scheduled', x.slot, x.slot + interval '15 minutes', 'S' || upper(lpad(to_hex(x.n), 8, '0')),
               0, 0, '', '', '', now(), now(), v.car_model_id, m.id, v.paint_id, v.store_id, v.id
        FROM (SELECT n, date_trunc('hour', now() + interval '1 day' + (random() * interval '13 days')) AS slot
              FROM generate_series(1, %s) n) x
        JOIN bench_v v ON v.n = x.n
        JOIN bench_m m ON m.n = 1 + (x.n * 31) %% %s
        """,
        [min(live, vehicles), members],
    )
    cur.execute(
        f"""
        INSERT INTO {hold} (starts_at, ends_at, released_at, {hold_drive}, {hold_vehicle})
        SELECT slot_start, slot_start + interval '76 hours',
               CASE WHEN state = 'scheduled' THEN NULL ELSE finished_at END, id, vehicle_id
        FROM {td}
        """,
        [],
    )


def _notifications(cur) -> None:
    """Booked for every drive; ready (completed), cancelled, or reminder (no-show): about two
    per drive, all delivered, as a long-running store has them."""
    n, td = table("testdrives", "Notification"), table("testdrives", "TestDrive")
    cur.execute(
        f"""
        INSERT INTO {n} (kind, created_at, delivered_at, read_at, member_id, test_drive_id)
        SELECT k.kind, k.at, k.at + interval '2 seconds',
               CASE WHEN k.id %% 2 = 0 THEN k.at + interval '1 hour' END, k.member_id, k.id
        FROM (
            SELECT id, member_id, 'booked' AS kind, created_at AS at FROM {td}
            UNION ALL
            SELECT id, member_id, CASE state WHEN 'completed' THEN 'ready' WHEN 'cancelled' THEN 'cancelled'
                                             ELSE 'reminder' END,
                   slot_start - interval '1 hour'
            FROM {td} WHERE state <> 'scheduled'
        ) k
        """,
        [],
    )


def _bench_member() -> None:
    """The member who books in the benchmark: a Super Member with a short history of their own."""
    User = get_user_model()
    Member, CreditReport = model("members", "Member"), model("members", "CreditReport")
    Consent = model("biometrics", "BiometricConsent")
    user = User.objects.create_user("bench-member", MEMBER_EMAIL, PASSWORD)
    member = Member.objects.create(
        user=user,
        full_name="Bench Member",
        mobile="13800000000",
        date_of_birth=date(1985, 5, 5),
        licence_expires_on=date(2035, 1, 1),
        tier="super",
    )
    now = timezone.now()
    CreditReport.objects.create(
        member=member,
        provider="sandbox",
        score=800,
        band="excellent",
        fetched_at=now,
        expires_at=now + timedelta(days=30),
    )
    Consent.objects.create(member=member, version="1", language="en", given_at=now)
