"""What test-drive services refuse, with messages for the customer (see vendingstore.api_errors)."""

from django.utils.translation import gettext_lazy as _

from vendingstore.api_errors import ApplicationError


class BookingRefused(ApplicationError):
    """The member may not book this car now; ``extra["reasons"]`` lists every failed rule."""

    status_code = 422
    code = "booking_refused"
    default_message = _("You cannot book this test drive.")


class SlotUnavailable(ApplicationError):
    status_code = 409
    code = "slot_unavailable"


class NoCarLeft(ApplicationError):
    status_code = 409
    code = "no_car_left"
    default_message = _(
        "Someone has just booked the last car in this paint for that time. Please pick another time or paint."
    )


class SlotFull(ApplicationError):
    status_code = 409
    code = "slot_full"
    default_message = _("This pickup window has just filled up. Please pick another time.")


class TransitionRefused(ApplicationError):
    """The booking is not in a state that allows this step (a late click, or a step done twice)."""

    status_code = 409
    code = "not_allowed_now"


class PickupCodeUnknown(ApplicationError):
    status_code = 404
    code = "code_unknown"
    default_message = _("We do not know this code at this store. Check the code in your booking.")


class PaymentFailed(ApplicationError):
    status_code = 402
    code = "payment_failed"
    default_message = _("The payment did not go through. Nothing was charged; please try again.")


class NoDeliveryBayFree(ApplicationError):
    status_code = 409
    code = "no_delivery_bay_free"
    default_message = _("Every delivery bay is busy. Please wait a moment and try again.")


class IdempotencyKeyReused(ApplicationError):
    """An ``Idempotency-Key`` already used for a booking of another car, store or time."""

    status_code = 422
    code = "idempotency_key_reused"
    default_message = _(
        "This request key was already used for a different booking. Send a new key for a new booking."
    )


class ExtensionRefused(ApplicationError):
    """The drive cannot be kept longer (its state, the cap, or the car's next booking);
    ``extra["latest_due_back_at"]``: the latest due-back time still possible, when there is one."""

    status_code = 409
    code = "extension_refused"
    default_message = _("This test drive cannot be extended.")


class SwapRefused(ApplicationError):
    """The car cannot be swapped now (its state, a swap already made, or the same model)."""

    status_code = 409
    code = "swap_refused"
    default_message = _("This car cannot be swapped.")


class ReturnPhotoRefused(ApplicationError):
    """A picture of the returned car that cannot be kept (a side we do not know)."""

    status_code = 400
    code = "return_photo_refused"
    default_message = _("A photo must be of the front, back, left or right side.")


class ReturnSidesMissing(ApplicationError):
    """A member's return without a picture of each of the four sides."""

    status_code = 400
    code = "return_photos_missing"


class ChargeRefused(ApplicationError):
    """A charge after a return without its reason or with an amount out of range."""

    status_code = 400
    code = "charge_refused"
