"""Portal forms. They only collect input; the services check it and say what is wrong."""

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel, Store
from members.identity import id_number_birth_date, id_number_normalize, validate_id_number
from members.models import Favourite
from vendingstore.queueing import delay_on_commit

LANGUAGE_CHOICES = [("zh-hans", "中文"), ("en", "English")]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SignupMobileForm(forms.Form):
    """Sign-up, step one: the mobile number that the code is texted to."""

    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class SignUpForm(forms.Form):
    """Sign-up, step two: the texted code and every detail."""

    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password, again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    full_name = forms.CharField(
        label=_("Full legal name"),
        max_length=120,
        help_text=_("As on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("National ID number"),
        max_length=20,
        help_text=_("18 characters. Stored encrypted; staff see only the last four."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    licence_number = forms.CharField(label=_("Driving licence number"), max_length=20)
    licence_expires_on = forms.DateField(label=_("Driving licence valid until"), widget=DATE_INPUT)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES)
    accept_privacy = forms.BooleanField(
        label=_(
            "I agree that the store keeps these details to run my membership, and checks my credit "
            "when I ask it to."
        )
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        if data.get("id_number"):
            # The ID number holds the birth date: asking for it again only invites a mismatch.
            try:
                validate_id_number(data["id_number"])
            except ValidationError as error:
                self.add_error("id_number", error)
            else:
                data["date_of_birth"] = id_number_birth_date(id_number_normalize(data["id_number"]))
        return data


class MemberLoginForm(AuthenticationForm):
    """Django's login form, asking for an e-mail or mobile instead of a username."""

    username = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class CorrectionForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES)
    licence_number = forms.CharField(
        label=_("New driving licence number"),
        max_length=20,
        required=False,
        help_text=_("Only if you have a new licence; leave empty to keep the one on file."),
    )
    licence_expires_on = forms.DateField(label=_("Driving licence valid until"), widget=DATE_INPUT)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class _CarModelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CarModel) -> str:
        return f"{obj.brand.display_name} {obj.display_name}"


class ModelChoiceForm(forms.Form):
    model = _CarModelChoiceField(
        label=_("Car model"),
        queryset=CarModel.objects.filter(is_listed=True).select_related("brand"),
        to_field_name="slug",
        empty_label=_("Choose a model"),
    )


class MemberPasswordResetForm(PasswordResetForm):
    """Django's reset form, except that the account look-up and the mail happen in a Celery task:
    the answer takes the same time whether or not the address has an account."""

    def save(  # type: ignore[override]
        self,
        domain_override: str | None = None,
        request: HttpRequest | None = None,
        use_https: bool = False,
        **kwargs: object,
    ) -> None:
        domain = domain_override or (request.get_host() if request else "localhost")
        delay_on_commit(
            "members.tasks.password_reset_mail_send",
            self.cleaned_data["email"],
            domain,
            use_https,
            translation.get_language(),
        )


class FavouriteForm(forms.Form):
    """A saved car's paint, store and alert. Choices come from the model's prefetched paints and the
    stores passed in, so a page of saved cars costs no query per form."""

    paint = forms.TypedChoiceField(label=_("Paint"), required=False, coerce=int, empty_value=None)
    store = forms.TypedChoiceField(label=_("Store"), required=False, coerce=int, empty_value=None)
    notify = forms.BooleanField(label=_("Tell me when one is free to book"), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        instance: Favourite,
        stores: list[Store] | None = None,
        prefix: str | None = None,
    ) -> None:
        initial = {"paint": instance.paint_id, "store": instance.store_id, "notify": instance.notify}
        super().__init__(data, initial=initial, prefix=prefix)
        self.paints = {p.pk: p for p in instance.car_model.paints.all()}
        self.stores = {s.pk: s for s in (stores if stores is not None else Store.objects.order_by("name"))}
        cast(forms.ChoiceField, self.fields["paint"]).choices = [("", _("Any paint"))] + [
            (pk, p.display_name) for pk, p in self.paints.items()
        ]
        cast(forms.ChoiceField, self.fields["store"]).choices = [("", _("Any store"))] + [
            (pk, f"{s.display_name} · {s.display_city}") for pk, s in self.stores.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        paint, store = data.get("paint"), data.get("store")
        data["paint"] = self.paints.get(paint) if paint is not None else None
        data["store"] = self.stores.get(store) if store is not None else None
        return data
