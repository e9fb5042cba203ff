"""The small forms behind the test-drive admin's buttons; each one feeds one service (a reason alone:
``members.admin_forms.ReasonForm``)."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from vendingstore.uploads import PhotoRefused, limits, upload_read


class IdentityForm(forms.Form):
    """Staff verify by hand only after seeing both documents; the step's audit note says so."""

    licence_seen = forms.BooleanField(label=_("I have seen the member's driving licence"), required=True)
    id_card_seen = forms.BooleanField(label=_("I have seen the member's ID card"), required=True)
    note = forms.CharField(
        label=_("What you checked"),
        max_length=200,
        help_text=_("For example: licence ending 1234 valid to 2030, ID card photo matches."),
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of pictures, each checked as every upload is (``vendingstore.uploads``: bytes,
    format, pixels from the header, a cheap integrity pass); none is decoded in full here."""

    widget = MultipleImageInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        return {**super().widget_attrs(widget), "accept": "image/*"}

    # ``data`` is whatever the widget read: a list of files, one, none, or the clear checkbox's
    # False or FILE_INPUT_CONTRADICTION (a bare object()); hence ``object``.
    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = []
        for file in files:
            upload = super().clean(file, initial)
            try:
                # Staff and kiosk close-ups of a scratch may be any size; only the upper limits apply.
                upload_read(upload=upload, limits=limits(min_side=1))
            except PhotoRefused as refused:
                raise forms.ValidationError(str(refused.message), code=refused.code) from None
            upload.seek(0)  # read for the checks; stored from the start
            cleaned.append(upload)
        return cleaned


class SidePhotoField(forms.FileField):
    """One picture of a side of the car, from the camera (``capture``) or a file, checked as every
    upload is (``vendingstore.uploads``), with the upload's own message when refused."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        return {**super().widget_attrs(widget), "accept": "image/*", "capture": "environment"}

    def clean(self, data: object, initial: object = None) -> UploadedFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            upload_read(upload=upload, limits=limits())
        except PhotoRefused as refused:
            raise forms.ValidationError(str(refused.message), code=refused.code) from None
        upload.seek(0)
        return upload


class ReturnForm(forms.Form):
    odometer_km = forms.IntegerField(label=_("Odometer (km)"), min_value=0)
    energy_pct = forms.IntegerField(label=_("Charge or fuel level (%)"), min_value=0, max_value=100)
    damage = forms.CharField(
        label=_("Damage noted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty when the car came back without new damage."),
    )
    photos = PhotosField(label=_("Photos of the car"), required=False)


class InspectForm(forms.Form):
    notes = forms.CharField(
        label=_("Inspection notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you found: cleanliness, damage, tyres, charge cable."),
    )
