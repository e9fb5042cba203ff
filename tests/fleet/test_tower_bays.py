import pytest

from fleet.models import Bay, BayKind
from fleet.services import tower_ensure_bays
from tests.factories import TowerFactory

pytestmark = pytest.mark.django_db


def test_it_creates_storage_bays_per_level_and_delivery_bays_at_ground() -> None:
    tower = TowerFactory(levels=8, bays_per_level=6, delivery_bays=2)
    assert tower.bays.filter(kind=BayKind.STORAGE).count() == 48
    assert set(tower.bays.filter(kind=BayKind.DELIVERY).values_list("level", flat=True)) == {0}
    assert tower.bays.filter(kind=BayKind.DELIVERY).count() == 2


def test_it_is_idempotent_and_adds_only_what_a_bigger_shape_needs() -> None:
    tower = TowerFactory(levels=2, bays_per_level=2, delivery_bays=1)
    assert tower_ensure_bays(tower=tower) == 0
    tower.levels = 3
    tower.save()
    assert tower_ensure_bays(tower=tower) == 2
    assert Bay.objects.filter(tower=tower).count() == 7
