"""The consent page: read the text, give or withdraw consent. Separate from the terms, optional."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from biometrics.consent import CONSENT_PARAGRAPHS, CONSENT_VERSION
from biometrics.selectors import consent_open
from biometrics.services import consent_give, consent_withdraw
from members.models import Member
from members.views import member_required


@member_required
def consent(request: HttpRequest, member: Member) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            consent_withdraw(member=member)
            messages.success(request, _("Consent withdrawn. Staff will check your ID at pickup instead."))
        elif request.POST.get("agree") == "yes":
            consent_give(member=member, language=request.LANGUAGE_CODE)
            messages.success(request, _("Thank you. You can now pick up cars with your face."))
        else:
            messages.error(request, _("Tick the box to show that you agree."))
        return redirect(request.GET.get("next") if _safe_next(request) else "biometrics:consent")
    context = {
        "paragraphs": CONSENT_PARAGRAPHS,
        "version": CONSENT_VERSION,
        "current": consent_open(member=member),
    }
    return render(request, "biometrics/consent.html", context)


def _safe_next(request: HttpRequest) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
