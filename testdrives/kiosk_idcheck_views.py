"""The kiosk's remote ID check: the customer shows the driving licence, the ID card and their face
to the camera (or picks the pictures with a file input), and the status region shows the
operator's answer within seconds (it polls)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from biometrics.selectors import face_pickup_unavailable_reason
from testdrives.kiosk_views import _drive_at_kiosk, kiosk_required
from testdrives.models import Kiosk, State, TestDrive
from testdrives.services.idcheck import PICTURES, IdPictures, idcheck_request
from vendingstore.api_errors import ApplicationError
from vendingstore.uploads import limits, upload_read


@require_POST
@kiosk_required
def id_check(request: HttpRequest, kiosk: Kiosk, code: str) -> HttpResponse:
    td = _drive_at_kiosk(kiosk, code)
    image_limits = limits(max_bytes=settings.BIOMETRICS_MAX_UPLOAD_BYTES)
    try:
        uploads = [request.FILES.get(which) for which in PICTURES]
        if any(upload is None for upload in uploads):
            raise ApplicationError(_("Take all three pictures: driving licence, ID card and your face."))
        licence, id_card, live = (upload_read(upload=u, limits=image_limits).data for u in uploads)  # type: ignore[arg-type]
        idcheck_request(
            test_drive=td,
            pictures=IdPictures(licence=licence, id_card=id_card, live=live),
            kiosk=kiosk,
            reason=_why(td),
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(f"{_drive_url(td)}?id-check=1")
    return redirect(_drive_url(td))


def _why(td: TestDrive) -> str:
    """Why the customer is checked by ID rather than by face, for the operator."""
    if td.state == State.LOCKED:
        return "locked"
    return face_pickup_unavailable_reason(member=td.member_id) or "customer_asked"


def _drive_url(td: TestDrive) -> str:
    return reverse("kiosk:drive", kwargs={"code": td.pickup_code})
