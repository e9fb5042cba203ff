"""The portal page: works as a plain form post, says results are suggestions, in both languages."""

import pytest

from fleet.models import CarModel
from tests.fixtures.snapcar import car_photo_bytes, face_photo_bytes, rephotograph

pytestmark = pytest.mark.django_db
URL = "/snap/"


def test_the_page_offers_the_camera_and_says_results_are_suggestions(client) -> None:
    html = client.get(URL).content.decode()

    assert 'capture="environment"' in html
    assert 'accept="image/*"' in html
    assert "Results are suggestions" in html


def test_a_plain_post_shows_suggestions_with_links_and_reasons(
    catalogue: dict[str, CarModel], client, upload
) -> None:
    response = client.post(URL, {"photo": upload(rephotograph(car_photo_bytes("00036.jpg")))})

    html = response.content.decode()
    assert response.status_code == 200
    assert "/cars/ferrari-458/?paint=" in html
    assert "/cars/ferrari-458/#book" in html
    assert "photo of our catalogue picture" in html
    assert "<html" in html  # the whole page without htmx


def test_an_htmx_post_gets_only_the_results(catalogue: dict[str, CarModel], client, upload) -> None:
    html = client.post(
        URL, {"photo": upload(car_photo_bytes("00036.jpg"))}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "<html" not in html
    assert "Closest cars in our catalogue" in html


def test_a_photo_without_a_car_is_refused_plainly_in_chinese(
    catalogue: dict[str, CarModel], client, upload, chinese_catalogue
) -> None:
    response = client.post(URL, {"photo": upload(face_photo_bytes())}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    html = response.content.decode()
    assert "没有找到汽车" in html
    assert "仅供参考" in html
