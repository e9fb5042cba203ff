"""Schemathesis over the whole API, as an anonymous caller and as a member (issue 13).

A bounded run: a few dozen examples per operation and caller, through the WSGI application against
the test database, with every check on (no server error, status codes, response schema, headers
and content type as documented). Any failure is a mismatch between the API and its schema.
"""

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import CarModelFactory, MemberFactory, PaintFactory, TowerFactory, VehicleFactory
from vendingstore.wsgi import application

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def api_schema() -> schemathesis.BaseSchema:
    """The schema drf-spectacular serves, generated in-process at collection (no database needed),
    answered by the WSGI application. (Schemathesis' lazy ``from_fixture`` loader does not run
    under pytest 9.)"""
    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    return loaded


schema = api_schema()


@pytest.fixture
def catalogue(db) -> None:
    """A little of everything, so that lists have items and slugs can exist."""
    tower = TowerFactory()
    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    VehicleFactory(store=tower.store, car_model=car_model, paint=paint)


@pytest.fixture(autouse=True)
def test_transaction_kept_open() -> Iterator[None]:
    """The real WSGI handler closes the database connection after each request when it is not in
    autocommit, which inside the test's transaction it never is (PostgreSQL then has no
    connection). Django's test client leaves the connection alone in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_the_api_answers_an_anonymous_caller_as_its_schema_says(case, catalogue) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_the_api_answers_a_member_as_its_schema_says(case, catalogue) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {member_token()}"}, checks=CHECKS)


def member_token() -> str:
    """One member per example run (Hypothesis calls the test many times inside one test)."""
    return AuthToken.objects.create(user=MemberFactory().user)[1]
