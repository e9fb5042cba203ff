"""The back office stays a fixed number of queries however long its history (issue 18, goal 2);
bench/scale.py measures the times, these keep the shapes."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CreditReportFactory, MemberFactory, VehicleFactory
from vendingstore.admin_paging import LargeTablePaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client: Client) -> Client:
    client.force_login(get_user_model().objects.create_superuser("desk", "desk@example.com", "pw"))
    return client


def queries_for(desk: Client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert desk.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params", [{}, {"q": "e"}, {"tier__exact": "standard"}], ids=["plain", "search", "filter"]
)
def test_the_members_list_queries_stay_flat_from_5_to_50_members(desk: Client, params: dict) -> None:
    url = reverse("admin:members_member_changelist")
    for _ in range(5):
        CreditReportFactory(member=MemberFactory())
    few = queries_for(desk, url, **params)
    for _ in range(45):
        CreditReportFactory(member=MemberFactory())

    assert queries_for(desk, url, **params) == few


@pytest.mark.parametrize("params", [{}, {"status__exact": "stored"}], ids=["plain", "filter"])
def test_the_vehicles_list_queries_stay_flat_from_5_to_50_cars(desk: Client, params: dict) -> None:
    url = reverse("admin:fleet_vehicle_changelist")
    VehicleFactory.create_batch(5)
    few = queries_for(desk, url, **params)
    VehicleFactory.create_batch(45)

    assert queries_for(desk, url, **params) == few


def test_the_members_search_finds_a_member_by_email_among_others(desk: Client) -> None:
    wanted = MemberFactory()
    MemberFactory.create_batch(3)

    page = desk.get(reverse("admin:members_member_changelist"), {"q": wanted.user.email.upper()})

    assert [m.pk for m in page.context["cl"].result_list] == [wanted.pk]


def test_an_unfiltered_small_table_is_counted_exactly(desk: Client) -> None:
    MemberFactory.create_batch(3)
    from members.models import Member

    assert LargeTablePaginator(Member.objects.all(), 100).count == 3


def test_the_history_index_and_search_migrations_are_present() -> None:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app, name in [
        ("testdrives", "0005_history_indexes"),
        ("members", "0003_history_indexes"),
        ("members", "0004_search_trigram"),
        ("testdrives", "0006_search_trigram"),
        ("fleet", "0009_search_trigram"),
    ]:
        assert (app, name) in graph.nodes


def test_the_indexes_match_the_default_orders_and_the_every_minute_sweep() -> None:
    from members.models import Member
    from testdrives.models import Notification, TestDrive

    def names(model: type) -> set[str]:
        return {index.name for index in model._meta.indexes}

    assert {"testdrive_slot_newest", "testdrive_updated_dispatching"} <= names(TestDrive)
    assert {"notification_undelivered", "notification_newest"} <= names(Notification)
    assert "member_joined_newest" in names(Member)
