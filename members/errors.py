"""What member services refuse, with messages for the customer (see vendingstore.api_errors)."""

from django.utils.translation import gettext_lazy as _

from vendingstore.api_errors import ApplicationError


class CreditBureauUnavailable(ApplicationError):
    status_code = 503
    code = "credit_bureau_unavailable"
    default_message = _("The credit bureau did not answer. Nothing has changed: please try again later.")


class CreditFileNotFound(ApplicationError):
    status_code = 422
    code = "credit_file_not_found"
    default_message = _(
        "The credit bureau has no file for your ID number. Check the number on your account, "
        "or ask the store about booking with a fee."
    )


class CreditCheckTooSoon(ApplicationError):
    status_code = 429
    code = "credit_check_too_soon"


class CreditCheckNeedsIdentity(ApplicationError):
    status_code = 409
    code = "identity_missing"
    default_message = _(
        "Your account has no ID number on file, which a credit check needs. Please contact the store."
    )


class MemberDeletionRefused(ApplicationError):
    status_code = 409
    code = "deletion_refused"
    default_message = _(
        "You have a test drive booked or under way. Cancel or finish it, then delete your account."
    )


class AlreadyBlacklisted(ApplicationError):
    status_code = 409
    code = "already_blacklisted"
    default_message = _("This member is already blacklisted.")


class NotBlacklisted(ApplicationError):
    status_code = 409
    code = "not_blacklisted"
    default_message = _("This member is not blacklisted.")


class ReasonRequired(ApplicationError):
    code = "reason_required"
    default_message = _("Give a reason: it is kept in the member's audit history.")


class FavouriteRefused(ApplicationError):
    code = "favourite_refused"
    paint_message = _("This paint is not offered on this model.")
    store_message = _("No store has this name.")
