"""Forms for the fleet back office."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from fleet.models import BAY_KIND_FOR_STATUS, IN_A_BAY, Bay, BayKind, Vehicle
from fleet.vehicle_import import MAX_BYTES
from fleet.vin import vin_normalize


class VehicleAdminForm(forms.ModelForm):
    """Turns every rule a vehicle's place must follow into a message on the field at fault.

    The model's clean() covers paint and store; the database constraint that ties the bay to
    the status would otherwise surface as a bare "constraint violated".
    """

    class Meta:
        model = Vehicle
        fields = [
            "vin",
            "car_model",
            "paint",
            "store",
            "status",
            "bay",
            "odometer_km",
            "built_on",
            "energy_level_pct",
        ]

    def clean_vin(self) -> str:
        # Normalised before the unique check, so "lvs…" cannot slip past an existing "LVS…".
        return vin_normalize(self.cleaned_data["vin"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        status, bay = cleaned.get("status"), cleaned.get("bay")
        if not status or "bay" in self.errors:
            return cleaned
        if status in IN_A_BAY and bay is None:
            self.add_error("bay", _("A vehicle in storage or at a delivery bay needs a bay."))
        elif status not in IN_A_BAY and bay is not None:
            self.add_error(
                "bay", _("Only a vehicle in storage or at a delivery bay has a bay; clear this field.")
            )
        elif bay is not None and bay.tower.store_id == getattr(cleaned.get("store"), "pk", None):
            # A bay of another store's tower is left to the model's clean(), which names that.
            self._check_bay(bay, status)
        return cleaned

    def _check_bay(self, bay: Bay, status: str) -> None:
        needed = BAY_KIND_FOR_STATUS[status]
        if bay.kind != needed:
            self.add_error(
                "bay",
                _("This is a %(kind)s bay; this status needs a %(needed)s bay.")
                % {"kind": bay.get_kind_display().lower(), "needed": BayKind(needed).label.lower()},
            )
        # A car already in a bay that was later taken out of service may stay there.
        if "bay" in self.changed_data and not bay.is_enabled:
            self.add_error("bay", _("This bay is out of service."))


class VehicleImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 text, comma-separated, with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)},
            )
        return upload
