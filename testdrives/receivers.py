"""What testdrives does when another app reports something: a member is about to be anonymised,
biometrics decided a face check."""

from django.dispatch import receiver

from biometrics.signals import face_attempt_decided
from members.errors import MemberDeletionRefused
from members.models import Member
from members.signals import member_anonymising
from testdrives.models import ACTIVE, TestDrive
from testdrives.services.face import testdrive_face_verdict_apply


@receiver(member_anonymising)
def member_anonymising_refuse_while_booked(*, member: Member, **kwargs: object) -> None:
    """A booked or running drive needs the person: the account stays until it is over."""
    if TestDrive.objects.filter(member=member, state__in=ACTIVE).exists():
        raise MemberDeletionRefused()


@receiver(face_attempt_decided)
def face_verdict_apply(*, booking_id: int, verdict: str, note: str, **kwargs: object) -> None:
    """Inside biometrics' deciding transaction: the attempt and the booking change together."""
    testdrive_face_verdict_apply(test_drive=booking_id, verdict=verdict, note=note)
