"""The OpenAPI schema of the whole API, and the pages that show it."""

from html.parser import HTMLParser
from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture
def schema() -> dict:
    GENERATOR_STATS.reset()
    return SchemaGenerator().get_schema(request=None, public=True)


def test_it_generates_a_valid_schema_with_no_warnings() -> None:
    GENERATOR_STATS.reset()
    out = StringIO()

    # Raises SchemaGenerationError on any warning or error, and on an invalid document.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())

    assert yaml.safe_load(out.getvalue())["info"]["title"] == "Vending Store API"


def test_it_validates_against_the_openapi_specification(schema: dict) -> None:
    validate_schema(schema)
    assert not GENERATOR_STATS


def test_every_operation_documents_a_success_response(schema: dict) -> None:
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]

    assert operations
    for path, method, operation in operations:
        codes = operation.get("responses", {})
        assert any(code.startswith("2") for code in codes), f"{method.upper()} {path} has no 2xx response"


def test_it_documents_the_catalogue_and_its_filters(schema: dict) -> None:
    paths = schema["paths"]
    assert {"/api/v1/brands/", "/api/v1/models/", "/api/v1/models/{slug}/", "/api/v1/stores/"} <= set(paths)
    parameters = {p["name"]: p for p in paths["/api/v1/models/"]["get"]["parameters"]}
    assert {"brand", "body", "powertrain", "price_min", "price_max", "store", "available", "sort"} <= set(
        parameters
    )
    assert parameters["available"]["schema"]["type"] == "boolean"
    assert parameters["brand"]["schema"]["type"] == "array"
    assert "400" in paths["/api/v1/models/"]["get"]["responses"]
    assert "404" in paths["/api/v1/models/{slug}/"]["get"]["responses"]


@pytest.mark.django_db
def test_it_serves_the_schema() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


class AssetCollector(HTMLParser):
    """Every URL a page makes the browser load: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


@pytest.mark.django_db
def test_the_docs_page_loads_only_our_own_static_files() -> None:
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    collector = AssetCollector()
    collector.feed(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in collector.urls)
    for url in collector.urls:
        if url.startswith("/api/docs/?script"):  # the start-up script, a file of ours (no inline script: CSP)
            script = Client().get(url)
            assert script.status_code == 200
            assert "javascript" in script["Content-Type"]
            continue
        assert url.startswith("/static/"), f"{url} is not served by us"
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among our static files"
    assert "cdn." not in html
    assert "unpkg" not in html
