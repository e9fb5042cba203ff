"""The member's side of a return on the booking page: send a picture of each side of the car from
the phone during the drive, and see the pictures (theirs, and those of a charge) afterwards.

Right after pickup the member may also report damage already on the car (``PickupPhoto``).

The pages show the pictures through these views, to the booking's member only (the console has
its own, for operators): a car's photos with its plate are the member's trip, not the public's.
The files live in the private storage (``vendingstore.private_files``), which no URL serves."""

import mimetypes

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.models import Member
from members.views import member_required
from testdrives.admin_forms import SidePhotoField
from testdrives.models import CarSide, PickupPhoto, ReturnPhoto
from testdrives.selectors import testdrive_get_for_member
from testdrives.services.returns import testdrive_pickup_photo_add, testdrive_return_photo_add
from vendingstore.api_errors import ApplicationError


class SidePhotoForm(forms.Form):
    side = forms.ChoiceField(label=gettext_lazy("Side"), choices=CarSide.choices)
    image = SidePhotoField(label=gettext_lazy("Photo"))


class PickupPhotoForm(forms.Form):
    side = forms.ChoiceField(
        label=gettext_lazy("Side"), choices=[("", gettext_lazy("Close-up")), *CarSide.choices], required=False
    )
    image = SidePhotoField(label=gettext_lazy("Photo"))
    note = forms.CharField(label=gettext_lazy("What you see"), max_length=300, required=False)


@require_POST
@member_required
def pickup_photo_add(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """ "Report existing damage" right after pickup, so the return's review does not charge it."""
    td = testdrive_get_for_member(member=member, pk=pk)
    form = PickupPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("testdrives:detail", pk=td.pk)
    data = form.cleaned_data
    try:
        testdrive_pickup_photo_add(test_drive=td, side=data["side"], upload=data["image"], note=data["note"])
        messages.success(request, _("Thank you: the damage is on record, you will not be charged for it."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("testdrives:detail", pk=td.pk)


@require_POST
@member_required
def return_photo_add(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    form = SidePhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("testdrives:detail", pk=td.pk)
    try:
        testdrive_return_photo_add(
            test_drive=td, side=form.cleaned_data["side"], upload=form.cleaned_data["image"], by=member.user
        )
        messages.success(request, _("Photo saved."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("testdrives:detail", pk=td.pk)


def photo_response(photo: ReturnPhoto | PickupPhoto) -> HttpResponse:
    """The picture, never cached by a shared cache (it is one member's)."""
    with photo.image.open("rb") as image:
        data = image.read()
    kind = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@member_required
def return_photo_image(request: HttpRequest, member: Member, pk: int, photo_pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    return photo_response(get_object_or_404(ReturnPhoto, pk=photo_pk, test_drive=td))


@member_required
def pickup_photo_image(request: HttpRequest, member: Member, pk: int, photo_pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    return photo_response(get_object_or_404(PickupPhoto, pk=photo_pk, test_drive=td))
