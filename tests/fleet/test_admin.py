import csv
import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fleet.models import Bay, CarPhoto, Tower, Vehicle, VehicleStatus
from fleet.vehicle_import import COLUMNS
from tests.factories import (
    CarModelFactory,
    CarPhotoFactory,
    PaintFactory,
    StaffFactory,
    StoreFactory,
    TowerFactory,
    UserFactory,
    VehicleFactory,
    make_vin,
)

pytestmark = pytest.mark.django_db

FLEET_MODELS = ["brand", "carmodel", "paint", "carphoto", "store", "storehours", "tower", "bay", "vehicle"]


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def fleet() -> dict[str, object]:
    """One object of every fleet model, all linked together."""
    vehicle = VehicleFactory()
    photo = CarPhotoFactory(car_model=vehicle.car_model, paint=vehicle.paint)
    return {
        "brand": vehicle.car_model.brand,
        "carmodel": vehicle.car_model,
        "paint": vehicle.paint,
        "carphoto": photo,
        "store": vehicle.store,
        "storehours": vehicle.store.hours.first(),
        "tower": vehicle.bay.tower,
        "bay": vehicle.bay,
        "vehicle": vehicle,
    }


def admin_url(model: str, view: str, *args: object) -> str:
    return reverse(f"admin:fleet_{model}_{view}", args=args)


@pytest.mark.parametrize("model", FLEET_MODELS)
def test_every_fleet_page_renders_for_staff(staff_client: Client, fleet: dict, model: str) -> None:
    for url in [
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", fleet[model].pk),
    ]:
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", FLEET_MODELS)
def test_every_fleet_changelist_searches_and_filters_without_error(
    staff_client: Client, fleet: dict, model
) -> None:
    response = staff_client.get(admin_url(model, "changelist"), {"q": "a"})

    assert response.status_code == 200


def custom_urls(fleet: dict) -> list[str]:
    return [
        admin_url("tower", "bay_map", fleet["tower"].pk),
        admin_url("vehicle", "import"),
        admin_url("vehicle", "import_template"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_it_sends_anyone_but_staff_to_the_login_page(client: Client, fleet: dict, who: str) -> None:
    if who == "customer":
        client.force_login(UserFactory())
    urls = [admin_url(model, "changelist") for model in FLEET_MODELS] + custom_urls(fleet)

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_it_refuses_the_custom_pages_to_staff_without_permission(client: Client, fleet: dict) -> None:
    client.force_login(UserFactory(is_staff=True))

    for url in custom_urls(fleet):
        assert client.get(url).status_code == 403, url


def test_it_lets_staff_with_view_permission_see_the_bay_map(client: Client, fleet: dict) -> None:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_tower"))
    client.force_login(user)

    assert client.get(admin_url("tower", "bay_map", fleet["tower"].pk)).status_code == 200


def test_it_finds_a_vehicle_by_vin(staff_client: Client) -> None:
    wanted, other = VehicleFactory(), VehicleFactory()

    response = staff_client.get(admin_url("vehicle", "changelist"), {"q": wanted.vin[-8:].lower()})

    results = list(response.context["cl"].result_list)
    assert results == [wanted]
    assert other.vin not in response.content.decode()


def test_it_finds_a_vehicle_by_brand_and_paint_words_together(staff_client: Client) -> None:
    wanted, other = VehicleFactory(), VehicleFactory()
    term = f"{wanted.car_model.brand.name.split()[0]} {wanted.paint.name}"

    response = staff_client.get(admin_url("vehicle", "changelist"), {"q": term})

    assert wanted in response.context["cl"].result_list
    assert other not in response.context["cl"].result_list or other.paint.name == wanted.paint.name


def test_it_finds_a_bay_by_its_code(staff_client: Client) -> None:
    TowerFactory(code="north")
    TowerFactory(code="south")

    response = staff_client.get(admin_url("bay", "changelist"), {"q": "north:l02-b03"})

    assert [str(bay) for bay in response.context["cl"].result_list] == ["north:L02-B03"]


def test_it_counts_vehicles_per_model_and_store(staff_client: Client) -> None:
    first = VehicleFactory()
    VehicleFactory(car_model=first.car_model, paint=first.paint, store=first.store)
    VehicleFactory(car_model=first.car_model, paint=first.paint, store=first.store, status=VehicleStatus.SOLD)

    models = staff_client.get(admin_url("carmodel", "changelist")).context["cl"].result_list
    stores = staff_client.get(admin_url("store", "changelist")).context["cl"].result_list

    assert [(m.fleet_count, m.available_count) for m in models] == [(2, 2)]
    assert [(s.tower_count, s.fleet_count, s.available_count) for s in stores] == [(1, 2, 2)]


@pytest.mark.parametrize("model", ["carmodel", "paint", "carphoto", "store", "tower", "bay", "vehicle"])
def test_changelists_run_the_same_number_of_queries_for_few_and_many_rows(
    staff_client: Client, model: str
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(admin_url(model, "changelist")).status_code == 200
        return len(ctx.captured_queries)

    store = StoreFactory()
    VehicleFactory(store=store)
    CarPhotoFactory()
    few = queries()
    for _ in range(4):
        vehicle = VehicleFactory(store=store)
        CarPhotoFactory(car_model=vehicle.car_model, paint=vehicle.paint)
    assert queries() == few


def test_the_car_model_page_shows_photo_thumbnails_and_paint_inlines(staff_client: Client) -> None:
    paint = PaintFactory(name="Aurora Green")
    photo = CarPhotoFactory(car_model=paint.car_model, paint=paint)

    html = staff_client.get(admin_url("carmodel", "change", paint.car_model.pk)).content.decode()

    assert f'<img src="{photo.image.url}"' in html
    assert 'value="Aurora Green"' in html
    assert "being prepared" in html  # the photo's copies are made after the commit


def test_staff_enter_size_and_charging_and_see_a_photo_measured(staff_client: Client) -> None:
    photo = CarPhotoFactory()
    CarPhoto.objects.filter(pk=photo.pk).update(width=1600, height=1000, renditions_of=photo.image.name)

    html = staff_client.get(admin_url("carmodel", "change", photo.car_model.pk)).content.decode()

    assert "Size and charging" in html
    for field in ("length_mm", "wheelbase_mm", "boot_litres", "charge_dc_kw", "charge_10_80_minutes"):
        assert f'name="{field}"' in html
    assert "1600 × 1000 px" in html


def test_saving_a_new_tower_creates_its_bays(staff_client: Client) -> None:
    store = StoreFactory()
    data = {
        "store": store.pk,
        "code": "east",
        "name": "East tower",
        "levels": 5,
        "bays_per_level": 6,
        "lifts": 2,
        "delivery_bays": 3,
    }

    response = staff_client.post(admin_url("tower", "add"), data, follow=True)

    assert response.status_code == 200
    tower = Tower.objects.get(code="east")
    assert tower.bays.filter(kind="storage").count() == 30
    assert tower.bays.filter(kind="delivery").count() == 3
    assert "Created 33 bays." in [str(m) for m in response.context["messages"]]


def test_growing_a_tower_adds_bays_and_shrinking_it_keeps_them(staff_client: Client) -> None:
    tower = TowerFactory(levels=3, bays_per_level=4, delivery_bays=2)
    data = {"store": tower.store.pk, "code": tower.code, "name": tower.name, "lifts": 1, "delivery_bays": 2}

    staff_client.post(admin_url("tower", "change", tower.pk), {**data, "levels": 4, "bays_per_level": 4})
    assert tower.bays.count() == 18
    response = staff_client.post(
        admin_url("tower", "change", tower.pk), {**data, "levels": 2, "bays_per_level": 4}, follow=True
    )

    assert tower.bays.count() == 18
    assert any("8 bays lie outside" in str(m) for m in response.context["messages"])


# --- The bay map ----------------------------------------------------------------------------


def cell_html(html: str, code: str) -> str:
    match = re.search(rf'<td class="bay bay-(\w+)" data-bay="{code}">(.*?)</td>', html, re.S)
    assert match, code
    return match.group(0)


def test_the_bay_map_shows_every_bay_by_level_with_its_car(staff_client: Client) -> None:
    tower = TowerFactory(levels=3, bays_per_level=4, delivery_bays=2)
    stored = VehicleFactory(store=tower.store)  # L01-B01
    Bay.objects.filter(tower=tower, level=2, position=3).update(is_enabled=False)
    waiting = VehicleFactory(
        store=tower.store,
        status=VehicleStatus.AT_DELIVERY_BAY,
        bay=tower.bays.get(kind="delivery", position=2),
    )

    response = staff_client.get(admin_url("tower", "bay_map", tower.pk))

    assert response.status_code == 200
    bay_map = response.context["bay_map"]
    assert [row.level for row in bay_map.rows] == [3, 2, 1, 0]
    assert [cell.code for cell in bay_map.rows[0].cells] == ["L03-B01", "L03-B02", "L03-B03", "L03-B04"]
    assert [cell.code for cell in bay_map.rows[-1].cells] == ["D1", "D2"]
    assert {state: count for state, _label, count in bay_map.legend} == {
        "empty": 11,
        "stored": 1,
        "at_delivery": 1,
        "out_of_service": 1,
    }
    html = response.content.decode()
    cell = cell_html(html, "L01-B01")
    assert "bay-stored" in cell
    assert f'href="{admin_url("vehicle", "change", stored.pk)}"' in cell
    assert stored.vin in cell
    assert str(stored.car_model) in cell
    assert "bay-at_delivery" in cell_html(html, "D2")
    assert waiting.vin in cell_html(html, "D2")
    assert "bay-out_of_service" in cell_html(html, "L02-B03")
    assert "bay-empty" in cell_html(html, "L03-B04")
    # Top level first, the ground (delivery) row last.
    assert html.index('data-bay="L03-B01"') < html.index('data-bay="L01-B01"') < html.index('data-bay="D1"')


def test_the_bay_map_is_linked_from_the_tower_list_and_page(staff_client: Client) -> None:
    tower = TowerFactory()
    url = admin_url("tower", "bay_map", tower.pk)

    assert f'href="{url}"' in staff_client.get(admin_url("tower", "changelist")).content.decode()
    assert f'href="{url}"' in staff_client.get(admin_url("tower", "change", tower.pk)).content.decode()


def fill(tower: Tower, n: int) -> None:
    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    bays = tower.bays.filter(kind="storage").order_by("level", "position")[:n]
    Vehicle.objects.bulk_create(
        Vehicle(vin=make_vin(), car_model=car_model, paint=paint, store=tower.store, bay=bay) for bay in bays
    )


def test_the_bay_map_runs_the_same_queries_for_a_small_and_a_large_tower(staff_client: Client) -> None:
    small = TowerFactory(levels=2, bays_per_level=2, delivery_bays=1)
    large = TowerFactory(levels=30, bays_per_level=20, delivery_bays=4)
    fill(small, 2)
    fill(large, 300)

    def queries(tower: Tower) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = staff_client.get(admin_url("tower", "bay_map", tower.pk))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert queries(small) == queries(large)
    # Session and user, then the tower and its bays with their cars.
    assert queries(large) <= 4


def test_the_bay_map_of_a_missing_tower_redirects_with_a_message(staff_client: Client) -> None:
    response = staff_client.get(admin_url("tower", "bay_map", 999999))

    assert response.status_code == 302


# --- The vehicle form ----------------------------------------------------------------------


def vehicle_data(vehicle_like: Vehicle, **overrides: object) -> dict[str, object]:
    data = {
        "vin": make_vin(),
        "car_model": vehicle_like.car_model.pk,
        "paint": vehicle_like.paint.pk,
        "store": vehicle_like.store.pk,
        "status": VehicleStatus.STORED,
        "bay": vehicle_like.store.towers.first().bays.get(level=3, position=4).pk,
        "odometer_km": 10,
        "built_on": "2025-10-01",
        "energy_level_pct": 80,
        # The vehicle photos inline's empty formset.
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def out_of_service_bay(tower: Tower) -> Bay:
    bay = tower.bays.get(level=2, position=2)
    bay.is_enabled = False
    bay.save()
    return bay


def form_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form was accepted"
    return response.context["adminform"].form.errors


def test_the_vehicle_form_adds_a_good_vehicle(staff_client: Client) -> None:
    existing = VehicleFactory()
    data = vehicle_data(existing)

    response = staff_client.post(admin_url("vehicle", "add"), {**data, "vin": data["vin"].lower()})

    assert response.status_code == 302
    assert Vehicle.objects.filter(vin=data["vin"]).exists()


@pytest.mark.parametrize(
    ("field", "fragment", "make_overrides"),
    [
        ("vin", "check digit", lambda v: {"vin": "1M8GDM9A1KP042788"}),
        ("vin", "already exists", lambda v: {"vin": v.vin.lower()}),
        ("paint", "not offered on this model", lambda v: {"paint": PaintFactory().pk}),
        ("bay", "another store", lambda v: {"bay": TowerFactory().bays.first().pk}),
        ("bay", "needs a bay", lambda v: {"bay": ""}),
        ("bay", "clear this field", lambda v: {"status": VehicleStatus.ON_DRIVE}),
        ("bay", "needs a delivery bay", lambda v: {"status": VehicleStatus.AT_DELIVERY_BAY}),
        ("bay", "out of service", lambda v: {"bay": out_of_service_bay(v.bay.tower).pk}),
    ],
)
def test_the_vehicle_form_turns_each_rule_into_a_field_error(
    staff_client: Client, field: str, fragment: str, make_overrides
) -> None:
    existing = VehicleFactory()
    data = vehicle_data(existing, **make_overrides(existing))

    errors = form_errors(staff_client.post(admin_url("vehicle", "add"), data))

    assert any(fragment in message for message in errors.get(field, [])), errors
    assert Vehicle.objects.count() == 1


# --- The CSV import ------------------------------------------------------------------------


@pytest.fixture
def import_place() -> Tower:
    store = StoreFactory(slug="pudong")
    car_model = CarModelFactory(slug="seal-2026")
    PaintFactory(car_model=car_model, name="Pearl White")
    return TowerFactory(store=store, code="north")


def upload(rows: list[list[str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows([list(COLUMNS), *rows])
    return SimpleUploadedFile("vehicles.csv", out.getvalue().encode(), content_type="text/csv")


def test_the_vehicle_list_has_an_import_button(staff_client: Client) -> None:
    html = staff_client.get(admin_url("vehicle", "changelist")).content.decode()

    assert f'href="{admin_url("vehicle", "import")}"' in html


def test_the_import_page_offers_an_example_file(staff_client: Client) -> None:
    page = staff_client.get(admin_url("vehicle", "import")).content.decode()
    response = staff_client.get(admin_url("vehicle", "import_template"))

    assert f'href="{admin_url("vehicle", "import_template")}"' in page
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == ",".join(COLUMNS)


def test_uploading_a_good_file_imports_it_and_says_how_many(
    staff_client: Client, import_place: Tower
) -> None:
    rows = [
        [make_vin(), "seal-2026", "Pearl White", "pudong", "north", "1", str(p), "5", "90", ""]
        for p in (1, 2, 3)
    ]

    response = staff_client.post(admin_url("vehicle", "import"), {"file": upload(rows)}, follow=True)

    assert response.redirect_chain[-1][0] == admin_url("vehicle", "changelist")
    assert "Imported 3 vehicles." in [str(m) for m in response.context["messages"]]
    assert Vehicle.objects.count() == 3
    assert LogEntry.objects.filter(object_id__in=[str(v.pk) for v in Vehicle.objects.all()]).count() == 3


def test_uploading_a_bad_file_lists_every_error_and_imports_nothing(
    staff_client: Client, import_place: Tower
) -> None:
    vin = make_vin()
    rows = [
        [vin, "seal-2026", "Pearl White", "pudong", "north", "1", "1", "5", "90", ""],
        [vin, "seal-2026", "Lava Red", "pudong", "north", "1", "1", "5", "90", ""],
    ]

    response = staff_client.post(admin_url("vehicle", "import"), {"file": upload(rows)})

    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('<table id="import-errors"') :]
    assert table.count("<td>3</td>") == 3  # duplicate VIN, unknown paint, bay taken by row 2
    assert "is also on row 2" in table
    assert "Lava Red" in table
    assert "already taken by row 2" in table
    assert "Nothing was imported" in html
    assert not Vehicle.objects.exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "The submitted file is empty."),
        (b"vin,model\n", "Missing columns"),
        ("vin,paint\nL,Perlwei\xdf\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_uploading_a_broken_file_explains_why(staff_client: Client, content: bytes, fragment: str) -> None:
    file = SimpleUploadedFile("vehicles.csv", content, content_type="text/csv")

    response = staff_client.post(admin_url("vehicle", "import"), {"file": file})

    assert response.status_code == 200
    assert fragment in response.content.decode()


def test_uploading_without_a_file_asks_for_one(staff_client: Client) -> None:
    response = staff_client.post(admin_url("vehicle", "import"), {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_the_bay_map_keeps_bays_outside_a_shrunk_shape_in_view(staff_client: Client) -> None:
    tower = TowerFactory(levels=3, bays_per_level=4)
    fill(tower, 12)
    Tower.objects.filter(pk=tower.pk).update(levels=2, bays_per_level=3)

    bay_map = staff_client.get(admin_url("tower", "bay_map", tower.pk)).context["bay_map"]

    assert [row.level for row in bay_map.rows] == [3, 2, 1, 0]
    assert bay_map.positions == [1, 2, 3, 4]
    assert {state: count for state, _label, count in bay_map.legend}["stored"] == 12


def test_the_bay_picker_on_a_vehicle_offers_only_free_bays_in_service(staff_client: Client) -> None:
    tower = TowerFactory(code="north", levels=1, bays_per_level=3, delivery_bays=1)
    VehicleFactory(store=tower.store)  # takes L01-B01
    Bay.objects.filter(tower=tower, level=1, position=2).update(is_enabled=False)
    params = {"app_label": "fleet", "model_name": "vehicle", "field_name": "bay", "term": "north"}

    response = staff_client.get(reverse("admin:autocomplete"), params)

    assert [result["text"] for result in response.json()["results"]] == ["north:D1", "north:L01-B03"]


def test_the_photo_inline_offers_only_the_models_own_paints(staff_client: Client) -> None:
    own = PaintFactory(name="Own Paint")
    PaintFactory(name="Foreign Paint")
    CarPhotoFactory(car_model=own.car_model)

    html = staff_client.get(admin_url("carmodel", "change", own.car_model.pk)).content.decode()

    assert "Own Paint</option>" in html
    assert "Foreign Paint" not in html
