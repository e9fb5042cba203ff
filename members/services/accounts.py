"""Accounts: sign-up, the member's own corrections, and deletion with anonymisation."""

from datetime import date
from typing import NotRequired, TypedDict, Unpack

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from rest_framework.authtoken.models import Token

from members.errors import MemberDeletionRefused
from members.identity import (
    id_number_birth_date,
    id_number_normalize,
    mobile_normalize,
    secret_encrypt,
    secret_store,
    validate_id_number,
    validate_mobile,
)
from members.models import AuditAction, BlacklistEntry, Member
from members.selectors import member_export_data, member_recorded_drives
from members.services.audit import audit_record
from members.services.standing import member_tier_refresh
from members.signals import member_anonymised, member_anonymising

# What a member may change themselves. Name, ID number and date of birth identify the person
# the credit report is about: staff change those, after seeing a document.
CORRECTABLE_FIELDS = ("email", "mobile", "preferred_language", "licence_number", "licence_expires_on")

_TAKEN = {
    "email": _("An account with this e-mail address already exists."),
    "mobile": _("An account with this mobile number already exists."),
    "id_number": _("An account with this ID number already exists. Log in, or reset your password."),
}


def _email_normalize(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None
    return email


def _licence_normalize(value: str) -> str:
    number = (value or "").replace(" ", "").upper()
    if not (6 <= len(number) <= 20 and number.isalnum()):
        raise ValidationError({"licence_number": _("Enter the number on your driving licence.")})
    return number


def _check_identity(id_number: str, date_of_birth: date) -> None:
    try:
        validate_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    if id_number_birth_date(id_number) != date_of_birth:
        raise ValidationError(
            {"date_of_birth": _("The date of birth does not match the one in your ID number.")}
        )


def _check_unique(*, email: str | None = None, mobile: str | None = None, id_hash: str | None = None) -> None:
    """Friendly messages for the common case; the database constraints decide under races."""
    errors = {}
    if email and get_user_model().objects.filter(username=email).exists():
        errors["email"] = _TAKEN["email"]
    if mobile and Member.objects.filter(mobile=mobile).exists():
        errors["mobile"] = _TAKEN["mobile"]
    if id_hash and Member.objects.filter(id_number_hash=id_hash).exists():
        errors["id_number"] = _TAKEN["id_number"]
    if errors:
        raise ValidationError(errors)


class RegistrationDetails(TypedDict):
    """Sign-up details checked and normalised by ``member_registration_clean``."""

    email: str
    mobile: str
    full_name: str
    id_number: str
    date_of_birth: date
    licence_number: str
    licence_expires_on: date
    preferred_language: str
    # Sign-up by link: the password, checked and hashed before the mail went out.
    password_hash: NotRequired[str]


def member_registration_clean(
    *,
    email: str,
    mobile: str,
    password: str | None,
    full_name: str,
    id_number: str,
    date_of_birth: date,
    licence_number: str,
    licence_expires_on: date,
    preferred_language: str = "zh-hans",
) -> RegistrationDetails:
    """Check and normalise sign-up details, all but uniqueness; ``ValidationError`` by field name.

    Nothing here depends on who else is registered, so its answer may go to anyone. ``password``
    None: it was checked and hashed before.
    """
    email = _email_normalize(email)
    mobile = mobile_normalize(mobile)
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from None
    id_number = id_number_normalize(id_number)
    _check_identity(id_number, date_of_birth)
    licence_number = _licence_normalize(licence_number)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": _("Enter your full legal name, as on your ID card.")})
    user_model = get_user_model()
    try:
        if password is not None:
            password_validation.validate_password(password, user_model(username=email, email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    return {
        "email": email,
        "mobile": mobile,
        "full_name": full_name,
        "id_number": id_number,
        "date_of_birth": date_of_birth,
        "licence_number": licence_number,
        "licence_expires_on": licence_expires_on,
        "preferred_language": preferred_language,
    }


def member_register(
    *,
    email: str,
    mobile: str,
    password: str,
    full_name: str,
    id_number: str,
    date_of_birth: date,
    licence_number: str,
    licence_expires_on: date,
    preferred_language: str = "zh-hans",
    password_hash: str = "",
) -> Member:
    """Create the user and member. Raises ``ValidationError`` with field names on bad input.

    One account per e-mail, mobile and ID number: checked first for a clear message, and made
    true by unique constraints (username, mobile, ID hash) when two sign-ups race. The messages
    name what is taken, so callers answering strangers must not pass them on (see
    ``members.services.signup``). ``password_hash``: a password checked and hashed earlier (the
    sign-up link carries no password), used instead of ``password``.
    """
    details = member_registration_clean(
        email=email,
        mobile=mobile,
        password=None if password_hash else password,
        full_name=full_name,
        id_number=id_number,
        date_of_birth=date_of_birth,
        licence_number=licence_number,
        licence_expires_on=licence_expires_on,
        preferred_language=preferred_language,
    )
    email, mobile, id_number = details["email"], details["mobile"], details["id_number"]
    licence_number = details["licence_number"]
    user_model = get_user_model()
    identity = secret_store(id_number)
    _check_unique(email=email, mobile=mobile, id_hash=identity.hash)
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=email, email=email, password=None if password_hash else password
            )
            if password_hash:
                user.password = password_hash
                user.save(update_fields=["password"])
            member = Member.objects.create(
                user=user,
                full_name=details["full_name"],
                mobile=mobile,
                preferred_language=preferred_language,
                date_of_birth=date_of_birth,
                id_number_hash=identity.hash,
                id_number_encrypted=identity.encrypted,
                id_number_last4=identity.last4,
                licence_number_encrypted=secret_encrypt(licence_number),
                licence_number_last4=licence_number[-4:],
                licence_expires_on=licence_expires_on,
            )
            audit_record(member=member, action=AuditAction.REGISTERED, actor=user)
            member_tier_refresh(member=member)
    except IntegrityError:
        _check_unique(email=email, mobile=mobile, id_hash=identity.hash)
        raise
    return member


class MemberCorrection(TypedDict, total=False):
    """What a member may correct themselves (``CORRECTABLE_FIELDS``)."""

    email: str
    mobile: str
    preferred_language: str
    licence_number: str
    licence_expires_on: date


@transaction.atomic
def member_correct(*, member: Member, actor: User, **changes: Unpack[MemberCorrection]) -> Member:
    """Apply the member's own corrections (``CORRECTABLE_FIELDS`` only); audited by field name.

    Secret numbers are audited as "changed", never with their values.
    """
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This cannot be changed here: please contact the store.") for name in unknown}
        )
    user = member.user
    changed: list[str] = []
    if "email" in changes and _email_normalize(str(changes["email"])) != user.username:
        email = _email_normalize(str(changes["email"]))
        _check_unique(email=email)
        user.username = user.email = email
        user.save(update_fields=["username", "email"])
        changed.append("email")
    if "mobile" in changes and mobile_normalize(str(changes["mobile"])) != member.mobile:
        mobile = mobile_normalize(str(changes["mobile"]))
        try:
            validate_mobile(mobile)
        except ValidationError as exc:
            raise ValidationError({"mobile": exc.messages}) from None
        _check_unique(mobile=mobile)
        member.mobile = mobile
        changed.append("mobile")
    if "preferred_language" in changes and changes["preferred_language"] != member.preferred_language:
        member.preferred_language = str(changes["preferred_language"])
        changed.append("preferred_language")
    if changes.get("licence_number"):
        number = _licence_normalize(str(changes["licence_number"]))
        member.licence_number_encrypted, member.licence_number_last4 = secret_encrypt(number), number[-4:]
        changed.append("licence_number")
    if "licence_expires_on" in changes and changes["licence_expires_on"] != member.licence_expires_on:
        member.licence_expires_on = changes["licence_expires_on"]
        changed.append("licence_expires_on")
    if changed:
        member.save()
        audit_record(
            member=member, action=AuditAction.PROFILE_CORRECTED, actor=actor, data={"fields": changed}
        )
        member_tier_refresh(member=member, actor=actor)
    return member


@transaction.atomic
def member_delete_self(*, member: Member, password: str) -> Member:
    """The member deletes their own account, confirming with their password.

    Raises ValidationError on the password field when it is wrong; see member_anonymise.
    """
    if not member.user.check_password(password):
        raise ValidationError({"password": _("The password is not right.")})
    return member_anonymise(member=member, actor=member.user, reason="deleted by the member")


@transaction.atomic
def member_anonymise(*, member: Member, actor: User, reason: str = "") -> Member:
    """Delete the member's account: keep what the law and open bookings need, anonymise the rest.

    Refused while a test drive is booked or under way (the car and the booking need a person).
    Kept: the member row and its drive history (the store must account for every drive), the
    audit history, blacklist entries, and, for a blacklisted member, the ID number's keyed hash,
    so the same person cannot sign up again around a ban. Removed: name, contact details,
    encrypted ID and licence numbers, date of birth, credit reports, face template and consent, API
    tokens (the other apps delete what they hold on ``member_anonymised``); the login is
    disabled and every session ends (the password hash changes).
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.anonymised_at is not None:
        return member
    if any(record.is_active for record in member_recorded_drives(member=member)):
        raise MemberDeletionRefused()
    member_anonymising.send(sender=Member, member=member)
    keep_hash = BlacklistEntry.objects.filter(member=member, lifted_at__isnull=True).exists()
    placeholder = f"deleted-{member.pk}"
    member.full_name = f"Deleted member {member.pk}"
    member.mobile = placeholder
    member.date_of_birth = None
    member.id_number_hash = member.id_number_hash if keep_hash else None
    member.id_number_encrypted = ""
    member.id_number_last4 = ""
    member.licence_number_encrypted = member.licence_number_last4 = ""
    member.licence_expires_on = None
    member.sandbox_score_override = None
    member.anonymised_at = timezone.now()
    member.save()
    member.credit_reports.all().delete()
    member.favourites.all().delete()  # what they liked is theirs too (alerts go with it)
    member_anonymised.send(sender=Member, member=member)
    user = member.user
    user.username = user.email = f"{placeholder}@deleted.invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    AuthToken.objects.filter(user=user).delete()  # every device's API token
    Token.objects.filter(user=user).delete()  # and a pre-knox token, if one is left
    audit_record(
        member=member,
        action=AuditAction.ANONYMISED,
        actor=actor,
        reason=reason,
        data={"kept_id_hash_for_blacklist": keep_hash},
    )
    return member


def member_export(*, member: Member, actor: User) -> dict[str, object]:
    """The member's data as JSON-ready values; every export is audited."""
    data = member_export_data(member=member)
    audit_record(member=member, action=AuditAction.DATA_EXPORTED, actor=actor)
    return data
