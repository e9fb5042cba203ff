"""The kiosk's view of a car on its way: ``{% tower_eta td as eta %}`` → (bay code, seconds) or None."""

from django import template

from testdrives.models import TestDrive
from testdrives.services.tower_moves import testdrive_ref
from tower.selectors import retrieve_eta

register = template.Library()


@register.simple_tag
def tower_eta(td: TestDrive) -> tuple[str, int] | None:
    return retrieve_eta(ref=testdrive_ref(td.pk))
