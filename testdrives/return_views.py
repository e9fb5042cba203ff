"""The member's side of a return on the booking page: send a picture of each side of the car from
the phone during the drive, and see the pictures (theirs, and those of a charge) afterwards.

The pages show the pictures through these views, to the booking's member only (the console has
its own, for operators): a car's photos with its plate are the member's trip, not the public's.
The files under MEDIA_ROOT carry random names (``return_photo_path``), so their own URLs cannot
be guessed."""

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
from testdrives.models import CarSide, ReturnPhoto
from testdrives.selectors import testdrive_get_for_member
from testdrives.services.returns import testdrive_return_photo_add
from vendingstore.api_errors import ApplicationError


class SidePhotoForm(forms.Form):
    side = forms.ChoiceField(label=gettext_lazy("Side"), choices=CarSide.choices)
    image = SidePhotoField(label=gettext_lazy("Photo"))


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


def photo_response(photo: ReturnPhoto) -> HttpResponse:
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
