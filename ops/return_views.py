"""The review of a returned car in the console: each side's picture at the return beside the car's
last known condition (its previous return's picture of that side) and any damage the member
reported at pickup, with the readings and their differences (``testdrives.return_compare``);
then "OK" (the drive completes) or "Damage / excess use" (a charge the member sees). The tower
has already stowed the car once the member left the bay; the review only decides the money."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ops import services
from ops.models import QueueItem, QueueKind
from ops.views import perm_required
from testdrives.admin_forms import PhotosField
from testdrives.models import ChargeKind, PickupPhoto, ReturnPhoto, State, TestDrive
from testdrives.return_compare import return_compare
from testdrives.return_views import photo_response
from testdrives.services.return_photos import return_view
from vendingstore.api_errors import ApplicationError


class ChargeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What for"), choices=ChargeKind.choices)
    amount_cny = forms.IntegerField(label=gettext_lazy("Amount (CNY)"), min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Reason (the member sees it)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    photo_ids = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    photos = PhotosField(label=gettext_lazy("More photos (optional)"), required=False)

    def __init__(self, *args: object, test_drive: TestDrive, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["photo_ids"].choices = [  # type: ignore[attr-defined]
            (p.pk, p.get_side_display() or _("close-up"))
            for p in ReturnPhoto.objects.filter(test_drive=test_drive)
        ]


def _review_context(td: TestDrive, form: ChargeForm) -> dict[str, object]:
    return {
        "td": td,
        "returned": return_view(test_drive=td),
        "compare": return_compare(test_drive=td),
        "form": form,
        "waiting": td.state == State.RETURNED,
        "item": QueueItem.objects.filter(kind=QueueKind.RETURN_REVIEW, key=str(td.pk), closed_at__isnull=True)
        .select_related("claimed_by")
        .first(),
    }


def _returned(pk: int) -> TestDrive:
    return get_object_or_404(
        TestDrive.objects.select_related("member", "store", "car_model__brand", "vehicle", "delivery_bay"),
        pk=pk,
        returned_at__isnull=False,
    )


@never_cache
@perm_required("act_on_queues")
def return_review(request: HttpRequest, pk: int) -> HttpResponse:
    td = _returned(pk)
    return render(request, "ops/return_review.html", _review_context(td, ChargeForm(test_drive=td)))


# The pictures themselves are for anyone who may read the console (the auditor included: the
# booking page shows them); the review and its decisions are the operator's.
@never_cache
@perm_required("use_console")
def return_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    return photo_response(get_object_or_404(ReturnPhoto, pk=photo_pk, test_drive_id=pk))


@never_cache
@perm_required("use_console")
def pickup_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    return photo_response(get_object_or_404(PickupPhoto, pk=photo_pk, test_drive_id=pk))


@require_POST
@perm_required("act_on_queues")
def return_ok(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.ops_return_review(test_drive=pk, by=request.user, notes=request.POST.get("reason", ""))  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("ops:return_review", pk=pk)
    messages.success(request, _("Reviewed: the drive is complete."))
    return redirect("ops:console")


@require_POST
@perm_required("act_on_queues")
def return_charge(request: HttpRequest, pk: int) -> HttpResponse:
    td = _returned(pk)
    form = ChargeForm(request.POST, request.FILES, test_drive=td)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ops_return_charge(
                test_drive=td.pk,
                by=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                amount_cny=data["amount_cny"],
                reason=data["reason"],
                photo_ids=data["photo_ids"],
                photos=data["photos"],
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Charge opened: the member sees it on their booking."))
            return redirect("ops:console")
    return render(request, "ops/return_review.html", _review_context(td, form), status=400)
