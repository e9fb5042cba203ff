from django import forms
from django.utils.translation import gettext_lazy as _


class SnapcarForm(forms.Form):
    # A plain file field: the photo is checked and decoded once, by vendingstore.uploads, with our limits.
    photo = forms.FileField(
        label=_("Photo of a car"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
