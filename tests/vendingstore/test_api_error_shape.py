"""Issue 13, item 9: every API error has the documented body ``{code, detail}``, DRF's own too,
and the schema documents it."""

import pytest
from rest_framework.test import APIClient

from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_drf_own_404_has_code_and_detail() -> None:
    response = APIClient().get("/api/v1/testdrives/12345/")

    assert response.status_code in (401, 404)
    assert set(response.json()) == {"code", "detail"}


def test_drf_own_401_has_code_and_detail() -> None:
    response = APIClient().get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_a_field_error_has_code_detail_and_the_fields() -> None:
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert set(body["fields"]) == {"username", "password"}


def test_the_schema_documents_error_answers_with_the_one_body(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    def error_fields(response: dict) -> set[str]:
        ref = response["content"]["application/json"]["schema"]["$ref"]
        return set(schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])

    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    slots = schema["paths"]["/api/v1/testdrives/slots/"]["get"]["responses"]
    drive = schema["paths"]["/api/v1/testdrives/{id}/"]["get"]["responses"]
    assert {"code", "detail"} <= error_fields(me["401"])
    assert {"code", "detail"} <= error_fields(slots["400"])
    assert {"code", "detail"} <= error_fields(drive["404"])


def test_store_hours_are_documented_as_hours_and_minutes_not_format_time(client) -> None:
    StoreFactory()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    opens = schema["components"]["schemas"]["StoreHoursOutput"]["properties"]["opens"]
    assert opens.get("format") != "time"
    assert opens["pattern"]


def test_an_api_url_no_view_matches_answers_json_not_a_page(client) -> None:
    response = client.get("/api/v1/models/%E6%A2%9D%F3%AC%8D%A1/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_a_portal_url_no_view_matches_still_gets_the_page(client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
