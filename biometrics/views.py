"""Face pickup pages: consent (versioned, separate from the terms, optional) and enrolment."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from biometrics.consent import CONSENT_PARAGRAPHS, CONSENT_VERSION
from biometrics.selectors import consent_open, face_status
from biometrics.services import consent_give, consent_withdraw, face_enrol
from members.models import Member
from members.views import member_required
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import HtmxHttpRequest, render_varying, wants_fragment
from vendingstore.uploads import limits, upload_read


@member_required
def consent(request: HttpRequest, member: Member) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            consent_withdraw(member=member)
            messages.success(
                request, _("Consent withdrawn. At pickup a remote operator checks your ID instead.")
            )
        elif request.POST.get("agree") == "yes":
            consent_give(member=member, language=request.LANGUAGE_CODE)
            messages.success(request, _("Thank you. You can now pick up cars with your face."))
        else:
            messages.error(request, _("Tick the box to show that you agree."))
        return redirect(request.GET["next"] if _safe_next(request) else "biometrics:consent")
    context = {
        "paragraphs": CONSENT_PARAGRAPHS,
        "version": CONSENT_VERSION,
        "current": consent_open(member=member),
    }
    return render(request, "biometrics/consent.html", context)


def _safe_next(request: HttpRequest) -> bool:
    nxt = request.GET.get("next", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


@member_required
def enrol(request: HtmxHttpRequest, member: Member) -> HttpResponse:
    """Upload or take a selfie for face pickup; the page shows where the last one stands."""
    if request.method == "POST":
        upload = request.FILES.get("photo")
        if upload is None:
            messages.error(request, _("Choose a photo or take one with the camera."))
        else:
            try:
                photo = upload_read(
                    upload=upload, limits=limits(max_bytes=settings.BIOMETRICS_MAX_UPLOAD_BYTES)
                )
                face_enrol(member=member, photo=photo.data)
                messages.success(
                    request, _("Thank you. We are checking your photo: this takes a few seconds.")
                )
            except ApplicationError as error:
                messages.error(request, str(error.message))
        return redirect("biometrics:enrol")
    template = "biometrics/_enrol_status.html" if wants_fragment(request) else "biometrics/enrol.html"
    return render_varying(request, template, {"status": face_status(member=member)})
