"""The specifications a model may not have (size, boot, charging): one list for the model page and
the comparison, each row shown only when some model on the page has a figure for it."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class OptionalSpec:
    field: str
    label: "StrOrPromise"
    unit: "StrOrPromise"  # a template with %(value)s


OPTIONAL_SPECS: tuple[OptionalSpec, ...] = (
    OptionalSpec("length_mm", _("Length"), _("%(value)s mm")),
    OptionalSpec("width_mm", _("Width"), _("%(value)s mm")),
    OptionalSpec("height_mm", _("Height"), _("%(value)s mm")),
    OptionalSpec("wheelbase_mm", _("Wheelbase"), _("%(value)s mm")),
    OptionalSpec("boot_litres", _("Boot"), _("%(value)s L")),
    OptionalSpec("charge_ac_kw", _("AC charging"), _("%(value)s kW")),
    OptionalSpec("charge_dc_kw", _("DC fast charging, peak"), _("%(value)s kW")),
    OptionalSpec("charge_10_80_minutes", _("DC charging 10–80 %"), _("%(value)s min")),
)


@dataclass(frozen=True)
class SpecRow:
    field: str
    label: "StrOrPromise"
    values: list[str | None]  # one per model, in order; None where that model has no figure


def spec_rows(car_models: Iterable[CarModel]) -> list[SpecRow]:
    """The optional specifications of ``car_models`` that at least one of them has, formatted in
    the active language. Reads fields only: no query."""
    models = list(car_models)
    rows = []
    for spec in OPTIONAL_SPECS:
        values = [_formatted(spec, getattr(m, spec.field)) for m in models]
        if any(value is not None for value in values):
            rows.append(SpecRow(spec.field, spec.label, values))
    return rows


def _formatted(spec: OptionalSpec, value: int | Decimal | None) -> str | None:
    if value is None:
        return None
    # 7.0 kW reads as 7 kW, 6.6 stays 6.6.
    number = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    return str(spec.unit) % {"value": number}
