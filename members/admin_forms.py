"""The small forms behind the member admin's buttons; each one feeds one service."""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel
from members.models import DriveOutcome, QuotaScope

REASON = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = REASON


class ScoreOverrideForm(forms.Form):
    score = forms.IntegerField(
        label=_("Sandbox score"),
        min_value=settings.CREDIT_SCORE_MIN,
        max_value=settings.CREDIT_SCORE_MAX,
        required=False,
        help_text=_("Empty removes the override. Used by the sandbox provider at the next credit check."),
    )
    reason = REASON


class QuotaExceptionForm(forms.Form):
    scope = forms.ChoiceField(label=_("Rule to waive"), choices=QuotaScope.choices)
    car_model = forms.ModelChoiceField(
        label=_("Only for model"), queryset=CarModel.objects.select_related("brand"), required=False
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), initial=timezone.now)
    valid_until = forms.DateTimeField(
        label=_("Valid until"), initial=lambda: timezone.now() + timedelta(days=7)
    )
    reason = REASON

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] <= data["valid_from"]:
            self.add_error("valid_until", _("The end must come after the start."))
        return data


class RecordedDriveForm(forms.Form):
    car_model = forms.ModelChoiceField(
        label=_("Car model"), queryset=CarModel.objects.select_related("brand")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DriveOutcome.choices)
    counted_at = forms.DateTimeField(label=_("Started (or missed slot ended) at"))
    returned_at = forms.DateTimeField(label=_("Returned at"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200)
