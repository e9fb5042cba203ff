"""Catalogue search (fleet.search) through the portal's ``/?q=`` and the API's ``q``.

The same tests run on SQLite (difflib fallback) and PostgreSQL (pg_trgm word similarity).
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fleet.models import CarModel
from fleet.search import carmodel_search_suggest, search_parse, search_vocabulary
from tests.factories import BrandFactory, CarModelFactory

pytestmark = pytest.mark.django_db

URL = reverse("fleet:catalogue")
API = reverse("api-carmodel-list")


def names_on(response) -> list[str]:
    return re.findall(r'class="card__link"[^>]*>([^<]+)</a>', response.content.decode())


@pytest.fixture
def catalogue() -> dict[str, CarModel]:
    byd = BrandFactory(name="BYD", name_zh="比亚迪", slug="byd")
    tesla = BrandFactory(name="Tesla", name_zh="特斯拉", slug="tesla")
    bmw = BrandFactory(name="BMW", name_zh="宝马", slug="bmw")
    li = BrandFactory(name="Li Auto", name_zh="理想", slug="li-auto")
    return {
        "seal": CarModelFactory(brand=byd, name="Seal", name_zh="海豹", slug="seal", body_type="sedan"),
        "song": CarModelFactory(
            brand=byd,
            name="Song Plus DM-i",
            name_zh="宋PLUS DM-i",
            slug="song",
            body_type="suv",
            powertrain="phev",
        ),
        "model-y": CarModelFactory(
            brand=tesla, name="Model Y", name_zh="Model Y", slug="model-y", body_type="suv"
        ),
        "i3": CarModelFactory(brand=bmw, name="i3", name_zh="i3", slug="i3", body_type="sedan"),
        "l7": CarModelFactory(
            brand=li, name="L7", name_zh="理想L7", slug="l7", body_type="suv", powertrain="erev"
        ),
    }


def api_names(client: Client, q: str) -> list[str]:
    response = client.get(API, {"q": q})
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("比亚迪", ["Seal", "Song Plus DM-i"]),
        ("海豹", ["Seal"]),
        ("比亚迪海豹", ["Seal"]),
        ("BYD Seal", ["Seal"]),
        ("tesla", ["Model Y"]),
        ("宝马 i3", ["i3"]),
    ],
)
def test_it_finds_models_by_brand_and_model_names_in_both_languages(
    client: Client, catalogue: dict[str, CarModel], query: str, expected: list[str]
) -> None:
    assert api_names(client, query) == expected
    assert names_on(client.get(URL, {"q": query})) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SUV", {"Song Plus DM-i", "Model Y", "L7"}),
        ("电动", {"Seal", "Model Y", "i3"}),
        ("electric suv", {"Model Y"}),
        ("电动SUV", {"Model Y"}),
        ("轿车", {"Seal", "i3"}),
        ("插电式混动", {"Song Plus DM-i"}),
        ("新能源 SUV", {"Song Plus DM-i", "Model Y", "L7"}),
        ("BYD suv", {"Song Plus DM-i"}),
    ],
)
def test_it_reads_body_and_powertrain_words_as_filters(
    client: Client, catalogue: dict[str, CarModel], query: str, expected: set[str]
) -> None:
    assert set(api_names(client, query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"), [("tesle", ["Model Y"]), ("Tesls model", ["Model Y"]), ("sael", ["Seal"])]
)
def test_it_forgives_a_typo_in_a_latin_word(
    client: Client, catalogue: dict[str, CarModel], query: str, expected: list[str]
) -> None:
    assert api_names(client, query) == expected


def test_it_ranks_the_model_named_exactly_above_partial_matches(
    client: Client, catalogue: dict[str, CarModel]
) -> None:
    CarModelFactory(brand=catalogue["seal"].brand, name="Seal U DM-i", slug="seal-u", name_zh="海豹U")
    CarModelFactory(brand=BrandFactory(name="Aaa Motors"), name="Sealion 07", slug="sealion")
    names = api_names(client, "seal")
    assert names[0] == "Seal"
    assert set(names) == {"Seal", "Seal U DM-i", "Sealion 07"}


def test_a_chosen_sort_overrides_the_ranking(client: Client, catalogue: dict[str, CarModel]) -> None:
    response = client.get(API, {"q": "byd", "sort": "-price"})
    prices = [row["price_cny"] for row in response.json()["results"]]
    assert prices == sorted(prices, reverse=True)
    assert len(prices) == 2


def test_it_combines_search_with_the_other_filters(client: Client, catalogue: dict[str, CarModel]) -> None:
    response = client.get(API, {"q": "比亚迪", "body": "suv"})
    assert [row["name"] for row in response.json()["results"]] == ["Song Plus DM-i"]


def test_empty_results_suggest_the_nearest_names(client: Client, catalogue: dict[str, CarModel]) -> None:
    response = client.get(API, {"q": "Teslaa Modle Z"})
    body = response.json()
    assert body["count"] == 0
    assert body["suggestions"][0] == "Tesla Model Y"

    page = client.get(URL, {"q": "Teslaa Modle Z"}).content.decode()
    assert "Did you mean:" in page
    assert 'href="/?q=Tesla%20Model%20Y"' in page


def test_suggestions_are_shown_in_the_customers_language(catalogue: dict[str, CarModel]) -> None:
    with translation.override("zh-hans"):
        assert carmodel_search_suggest(query="比亚迪海狮")[0] in {"比亚迪", "比亚迪 海豹"}


def test_results_carry_no_suggestions(client: Client, catalogue: dict[str, CarModel]) -> None:
    assert client.get(API, {"q": "seal"}).json()["suggestions"] == []


def test_it_answers_400_to_an_overlong_query(client: Client, catalogue: dict[str, CarModel]) -> None:
    response = client.get(API, {"q": "x" * 101})
    assert response.status_code == 400
    assert "q" in response.json()["fields"]


def test_punctuation_only_is_no_search(client: Client, catalogue: dict[str, CarModel]) -> None:
    assert len(api_names(client, "!!! ???")) == 5
    assert search_parse(query="  ", vocabulary=search_vocabulary()).is_empty


def test_the_portal_search_box_keeps_the_query_and_the_chinese_page_searches_too(
    client: Client, catalogue: dict[str, CarModel]
) -> None:
    page = client.get(URL, {"q": "海豹"}).content.decode()
    assert 'name="q" value="海豹"' in page
    chinese = client.get(URL, {"q": "海豹"}, headers={"accept-language": "zh-hans"})
    assert names_on(chinese) == ["海豹"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_on_postgresql_it_matches_latin_words_by_trigram_word_similarity(
    client: Client, catalogue: dict[str, CarModel]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert api_names(client, "teslq") == ["Model Y"]
    assert any("WORD_SIMILARITY" in q["sql"].upper() for q in queries.captured_queries)
