"""The kiosk: a tablet at the store's entrance, signed in with its token, acting for its store only.

The customer types or scans the pickup code, then follows the next step on screen; the status
region refreshes itself (htmx polling) as the face check, the tower and staff move the booking.
"""

import uuid
from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from biometrics.selectors import (
    face_attempt_latest,
    face_attempt_message,
    face_attempts_left,
    face_pickup_unavailable_message,
    face_pickup_unavailable_reason,
)
from biometrics.services import face_attempts_nudge
from testdrives.admin_forms import PhotosField, SidePhotoField
from testdrives.codes import code_normalize
from testdrives.models import CarSide, Kiosk, State, TestDrive
from testdrives.selectors import testdrive_state_wait_while
from testdrives.services.dispatch import dispatcher
from testdrives.services.face import testdrive_face_check_start
from testdrives.services.idcheck import idcheck_form_offered, idcheck_latest
from testdrives.services.kiosks import kiosk_for_token
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_find_by_return_code,
    testdrive_return,
)
from testdrives.services.operator import face_pickup_operator_call
from testdrives.services.return_photos import SIDES
from testdrives.services.swap import testdrive_swap_pending
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import HtmxHttpRequest, render_varying, wants_fragment
from vendingstore.uploads import burst_read, limits

SESSION_KEY = "kiosk_token"


class ReturnForm(forms.Form):
    return_code = forms.CharField(label=gettext_lazy("Return code"), max_length=20)
    odometer_km = forms.IntegerField(label=gettext_lazy("Odometer (km)"), min_value=0, max_value=2_000_000)
    energy_pct = forms.IntegerField(label=gettext_lazy("Charge / fuel (%)"), min_value=0, max_value=100)
    front = SidePhotoField(label=CarSide.FRONT.label, required=False)
    back = SidePhotoField(label=CarSide.BACK.label, required=False)
    left = SidePhotoField(label=CarSide.LEFT.label, required=False)
    right = SidePhotoField(label=CarSide.RIGHT.label, required=False)
    damage = forms.CharField(
        label=gettext_lazy("Any damage?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(
        label=gettext_lazy("Close-ups (optional)"),
        required=False,
        help_text=gettext_lazy("A scratch or a dent you want us to see."),
    )

    def sides(self) -> dict[str, UploadedFile]:
        """The sides photographed here (the others may have come from the phone during the drive)."""
        return {side: self.cleaned_data[side] for side in SIDES if self.cleaned_data.get(side)}


def kiosk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as an active kiosk; the kiosk is passed to the view. Checked on every request, so
    deactivating a kiosk in the admin cuts it off at once."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        kiosk = kiosk_for_token(request.session.get(SESSION_KEY, ""))
        if kiosk is None:
            return redirect("kiosk:sign_in")
        return view(request, kiosk, *args, **kwargs)

    return wrapped


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if kiosk_for_token(token) is not None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = token
            return redirect("kiosk:home")
        messages.error(request, _("This kiosk token is not valid. Ask staff for the token in the admin."))
    return render(request, "testdrives/kiosk/sign_in.html")


@kiosk_required
def home(request: HttpRequest, kiosk: Kiosk) -> HttpResponse:
    return render(request, "testdrives/kiosk/home.html", {"kiosk": kiosk})


@require_POST
@kiosk_required
def check_in(request: HttpRequest, kiosk: Kiosk) -> HttpResponse:
    try:
        td = testdrive_check_in(kiosk=kiosk, pickup_code=request.POST.get("code", ""))
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("kiosk:home")
    return redirect("kiosk:drive", code=td.pickup_code)


def _drive_at_kiosk(kiosk: Kiosk, code: str) -> TestDrive:
    return get_object_or_404(
        TestDrive.objects.select_related("car_model__brand", "delivery_bay", "store"),
        pickup_code=code_normalize(code),
        store_id=kiosk.store_id,
    )


@kiosk_required
def drive(request: HtmxHttpRequest, kiosk: Kiosk, code: str) -> HttpResponse:
    """The customer's screen after check-in; its status region polls this view (htmx) every 2 s.

    The face check's data is read only while the booking waits for it: a poll in any other state
    shows none of it. The full page always asks whether a face is on file, for its camera.
    """
    td = _drive_at_kiosk(kiosk, code)
    fragment = wants_fragment(request)
    if fragment and td.state == State.VERIFYING and request.GET.get("wait") == "decision":
        # kiosk.js asks this way right after the burst: the answer is sent when the worker's
        # decision commits, not at the next poll (up to the page's period later).
        testdrive_state_wait_while(
            test_drive_id=td.pk, state=State.VERIFYING, wait_s=settings.KIOSK_DECISION_WAIT_MS / 1000
        )
        td = _drive_at_kiosk(kiosk, code)
    if td.state == State.VERIFYING:
        face_attempts_nudge(test_drive_id=td.pk)  # a decision whose worker died goes again
    waiting_for_face = td.state == State.CHECKED_IN
    last_attempt = face_attempt_latest(test_drive=td.pk) if waiting_for_face else None
    unavailable = (
        face_pickup_unavailable_reason(member=td.member_id) if waiting_for_face or not fragment else None
    )
    if waiting_for_face and unavailable:
        # No one is on site: the remote operator is called to check the ID (once per booking).
        face_pickup_operator_call(test_drive=td, reason=unavailable)
    id_check = idcheck_latest(test_drive=td)
    context = {
        "td": td,
        "kiosk": kiosk,
        "id_check": id_check,
        # The form sits outside the polled region (a poll would wipe picked files): full page only.
        "id_check_form": not fragment
        and idcheck_form_offered(
            test_drive=td, latest=id_check, wanted=bool(unavailable) or "id-check" in request.GET
        ),
        "face_ready": (waiting_for_face or not fragment) and unavailable is None,
        "face_unavailable_message": face_pickup_unavailable_message(unavailable) if unavailable else None,
        "attempts_left": face_attempts_left(test_drive=td.pk, limit=settings.TESTDRIVE_FACE_ATTEMPTS_MAX)
        if waiting_for_face
        else None,
        "store_phone": td.store.phone,
        "last_attempt": last_attempt,
        "attempt_message": face_attempt_message(last_attempt),
        "request_key": uuid.uuid4(),
    }
    template = "testdrives/kiosk/_status.html" if fragment else "testdrives/kiosk/drive.html"
    return render_varying(request, template, context)


@require_POST
@kiosk_required
def face(request: HtmxHttpRequest, kiosk: Kiosk, code: str) -> HttpResponse:
    """The camera's burst of frames: checked, stored for the decision, decided by a worker.

    No frame is decoded here: a burst over the frame limit is refused before any is read, and
    each kept frame passes the header and integrity checks only; the worker decodes them.
    """
    td = _drive_at_kiosk(kiosk, code)
    try:
        burst = burst_read(
            uploads=request.FILES.getlist("frames"),
            max_frames=settings.BIOMETRICS_MAX_BURST_FRAMES,
            limits=limits(max_bytes=settings.BIOMETRICS_MAX_UPLOAD_BYTES),
        )
        frames = [frame.data for frame in burst]
        testdrive_face_check_start(test_drive=td, frames=frames, request_key=_request_key(request))
    except ApplicationError as error:
        if request.htmx:
            return HttpResponse(str(error.message), status=error.status_code)
        messages.error(request, str(error.message))
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("kiosk:drive", code=td.pickup_code)


@require_POST
@kiosk_required
def call_operator(request: HttpRequest, kiosk: Kiosk, code: str) -> HttpResponse:
    """The customer asks for the remote operator (the camera does not work, or they prefer the ID)."""
    td = _drive_at_kiosk(kiosk, code)
    face_pickup_operator_call(test_drive=td, reason="customer_asked")
    messages.success(
        request,
        _(
            "The remote operator has been alerted: show your driving licence, your ID card and your face "
            "to the camera."
        ),
    )
    return redirect(reverse("kiosk:drive", kwargs={"code": td.pickup_code}) + "?id-check=1")


def _request_key(request: HttpRequest) -> uuid.UUID:
    try:
        return uuid.UUID(request.POST.get("request_key", ""))
    except ValueError:
        return uuid.uuid4()


@require_POST
@kiosk_required
def open_gate(request: HttpRequest, kiosk: Kiosk, code: str) -> HttpResponse:
    td = _drive_at_kiosk(kiosk, code)
    try:
        testdrive_depart(test_drive=td)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("kiosk:drive", code=td.pickup_code)


@kiosk_required
def return_car(request: HttpRequest, kiosk: Kiosk) -> HttpResponse:
    """The return code, the readings and a photo of each side the phone has not sent yet; then
    the member is told which bay to leave the car in (the tower stows it once they walk out)."""
    form = ReturnForm(request.POST or None, request.FILES or None)
    gate = dispatcher().gate_reported()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            td = testdrive_find_by_return_code(kiosk=kiosk, return_code=data["return_code"])
            td = testdrive_return(
                test_drive=td,
                odometer_km=data["odometer_km"],
                energy_pct=data["energy_pct"],
                damage=data["damage"],
                photos=data["photos"],
                sides=form.sides(),
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            # A swap booked from the phone continues here: the next car is picked up in this visit.
            swap = testdrive_swap_pending(test_drive=td)
            return render(
                request,
                "testdrives/kiosk/returned.html",
                {"td": td, "kiosk": kiosk, "swap": swap, "gate_reported": gate},
            )
    return render(request, "testdrives/kiosk/return.html", {"form": form, "kiosk": kiosk})
