"""Portal pages for members: sign-up, login, their data and the credit check.

The membership page (tier, quotas, may I book this car?) is testdrives', which owns booking
eligibility; after sign-up and a credit check the member goes to ``LOGIN_REDIRECT_URL``, that page.

Views read the request, call a service or selector, and pick a template. Domain refusals
(``ApplicationError``) and field errors (``ValidationError``) come back to the customer as
messages or form errors, in their language.
"""

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.forms import CorrectionForm, DeleteAccountForm, SignUpForm, SignupMobileForm
from members.models import Member
from members.selectors import member_get_for_user
from members.services import (
    member_correct,
    member_credit_check,
    member_delete_self,
    member_export,
)
from members.services.signup import signup_code_send, signup_finish, signup_request
from vendingstore.api_errors import ApplicationError


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in with a member profile; the profile is passed to the view as ``member``."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        member = member_get_for_user(user=request.user)
        if member is None:
            messages.info(request, _("This login has no membership. Sign up with another e-mail address."))
            return redirect("members:signup")
        return view(request, member, *args, **kwargs)

    return wrapped


def _form_errors_from(form: Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


SIGNUP_SESSION_KEY = "members.signup"
SIGNUP_NEXT_SESSION_KEY = "members.signup_next"


def signup(request: HttpRequest) -> HttpResponse:
    """Step one: the mobile number; a code is texted to it."""
    if request.user.is_authenticated and member_get_for_user(user=request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupMobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = signup_code_send(mobile=form.cleaned_data["mobile"])
        except ValidationError as error:
            _form_errors_from(form, error)
        except ApplicationError as refusal:
            form.add_error("mobile", str(refusal.message))
        else:
            request.session[SIGNUP_SESSION_KEY] = {
                "challenge": challenge,
                "mobile": form.cleaned_data["mobile"],
            }
            _signup_next_keep(request)
            return redirect("members:signup_details")
    return render(request, "members/signup.html", {"form": form, "next": _safe_next(request)})


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` address asked for, if it is one of ours (never an open redirect)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    ours = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if ours else ""


def _signup_next_keep(request: HttpRequest) -> None:
    """Remember where the visitor was going (the car they wanted to book): the e-mailed link that
    opens the account lands there, when it is opened in the same browser."""
    wanted = _safe_next(request)
    if wanted:
        request.session[SIGNUP_NEXT_SESSION_KEY] = wanted


def signup_details(request: HttpRequest) -> HttpResponse:
    """Step two: the code and the details. The answer is the same whoever is registered."""
    pending = request.session.get(SIGNUP_SESSION_KEY)
    if not pending:
        return redirect("members:signup")
    form = SignUpForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("password_again", "accept_privacy")}
        try:
            signup_request(
                challenge=pending["challenge"], site=request.build_absolute_uri("/").rstrip("/"), **data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        except ApplicationError as refusal:
            form.add_error("code", str(refusal.message))
        else:
            del request.session[SIGNUP_SESSION_KEY]
            return redirect("members:signup_sent")
    return render(request, "members/signup_details.html", {"form": form, "mobile": pending["mobile"]})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "members/signup_sent.html")


def signup_finish_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. GET asks (a mail scanner following links opens nothing); POST opens."""
    if request.method != "POST":
        return render(request, "members/signup_finish.html")
    try:
        member = signup_finish(token=token)
    except ApplicationError as refusal:
        return render(request, "members/signup_finish.html", {"refusal": refusal.message}, status=400)
    wanted = request.session.pop(SIGNUP_NEXT_SESSION_KEY, "")
    login(request, member.user, backend="members.auth.EmailOrMobileBackend")
    messages.success(request, _("Welcome! Check your credit to see whether you are a Super Member."))
    return redirect(wanted or settings.LOGIN_REDIRECT_URL)


def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        return redirect("fleet:catalogue")
    return render(request, "members/logout.html")


@require_POST
@member_required
def credit_check(request: HttpRequest, member: Member) -> HttpResponse:
    try:
        report = member_credit_check(member=member, requested_by=member.user)
    except ApplicationError as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(
            request,
            _("Your credit score is %(score)s (%(band)s).")
            % {"score": report.score, "band": report.get_band_display()},
        )
    return redirect(settings.LOGIN_REDIRECT_URL)


@member_required
def account(request: HttpRequest, member: Member) -> HttpResponse:
    initial = {
        "email": member.user.email,
        "mobile": member.mobile,
        "preferred_language": member.preferred_language,
        "licence_expires_on": member.licence_expires_on,
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "licence_number" or v}
        try:
            member_correct(member=member, actor=member.user, **changes)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("members:account")
    return render(request, "members/account.html", {"member": member, "form": form})


@member_required
def account_export(request: HttpRequest, member: Member) -> HttpResponse:
    data = member_export(member=member, actor=member.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="vendingstore-my-data-{timezone.localdate()}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@member_required
def account_delete(request: HttpRequest, member: Member) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_delete_self(member=member, password=form.cleaned_data["password"])
        except ValidationError as wrong_password:
            form.add_error(None, wrong_password)
        except ApplicationError as refusal:
            messages.error(request, str(refusal.message))
            return redirect("members:account")
        else:
            logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("fleet:catalogue")
    return render(request, "members/account_delete.html", {"form": form})
