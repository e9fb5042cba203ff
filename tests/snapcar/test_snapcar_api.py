"""POST /api/v1/snapcar/: suggestions as JSON, refusals as 400 with a code."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fleet.models import CarModel
from tests.fixtures.snapcar import car_photo_bytes, face_photo_bytes, rephotograph
from tests.images import png_header_claiming

pytestmark = pytest.mark.django_db
URL = "/api/v1/snapcar/"


def test_the_url_is_the_documented_one() -> None:
    assert reverse("api-snapcar-query") == URL


def test_it_answers_a_photo_with_ranked_suggestions(catalogue: dict[str, CarModel], upload) -> None:
    response = APIClient().post(
        URL, {"photo": upload(rephotograph(car_photo_bytes("00036.jpg"))), "limit": 3}, format="multipart"
    )

    assert response.status_code == 200
    body = response.json()
    assert len(body["suggestions"]) == 3
    first = body["suggestions"][0]
    assert first["slug"] == "ferrari-458"
    assert first["same_picture"] is True
    assert first["url"].endswith("/cars/ferrari-458/")
    assert first["booking_url"].endswith("/cars/ferrari-458/#book")
    assert first["paint"]["name"] == "Racing Red"
    assert body["paint"]["family"] == "red"
    assert body["catalogue_photos"] == 7
    assert "suggestions" in body["notice"]


def test_it_refuses_a_photo_without_a_car_with_a_code(catalogue: dict[str, CarModel], upload) -> None:
    response = APIClient().post(URL, {"photo": upload(face_photo_bytes())}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "no_car"


def test_it_refuses_a_corrupt_file_with_a_code(snapcar_model, upload) -> None:
    response = APIClient().post(URL, {"photo": upload(b"not a photo at all")}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "photo_unreadable"


def test_it_refuses_a_small_png_declaring_50_megapixels_without_decoding_it(snapcar_model, upload) -> None:
    response = APIClient().post(
        URL, {"photo": upload(png_header_claiming(7071, 7071), "bomb.png")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_large"
    assert "4 megapixels" in response.json()["detail"]


def test_the_limit_in_the_answer_is_the_configured_one(snapcar_model, upload, settings) -> None:
    settings.SNAPCAR_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
    response = APIClient().post(
        URL, {"photo": upload(b"\xff\xd8" + b"0" * (4 * 1024 * 1024))}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_large"
    assert "3 MB" in response.json()["detail"]


def test_it_answers_in_chinese_when_asked(catalogue: dict[str, CarModel], upload, chinese_catalogue) -> None:
    response = APIClient().post(
        URL, {"photo": upload(face_photo_bytes())}, format="multipart", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 400
    assert "汽车" in response.json()["detail"]


def test_it_needs_a_photo(snapcar_model) -> None:
    response = APIClient().post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert "photo" in response.json()["fields"]


def test_the_schema_documents_the_endpoint(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"][URL]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400", "503"} <= set(operation["responses"])
