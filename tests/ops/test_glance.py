"""Each store at a glance: read in a fixed number of queries, however many stores the console shows
(it polls every few seconds)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ops.glance import stores_glance
from tests.factories import StoreFactory, TowerFactory

pytestmark = pytest.mark.django_db


def queries_for(stores) -> int:
    with CaptureQueriesContext(connection) as captured:
        glances = stores_glance(stores=stores)
    assert [g.store for g in glances] == stores
    return len(captured)


def test_the_glance_costs_the_same_for_one_store_and_for_five() -> None:
    stores = [StoreFactory() for _ in range(5)]
    for store in stores:
        TowerFactory(store=store)

    assert queries_for(stores[:1]) == queries_for(stores)


def test_each_store_gets_its_own_towers() -> None:
    first, second = StoreFactory(), StoreFactory()
    TowerFactory(store=first, code="aaa-t1")
    TowerFactory(store=second, code="bbb-t1")

    glances = stores_glance(stores=[first, second])

    assert [[t["code"] for t in g.towers] for g in glances] == [["aaa-t1"], ["bbb-t1"]]
