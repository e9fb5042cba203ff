"""What testdrives does when another app reports something: a member is about to be anonymised,
biometrics decided a face check; and when a booking row is deleted."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from biometrics.signals import face_attempt_decided
from fleet.models import VehicleHold
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


@receiver(pre_delete, sender=TestDrive)
def testdrive_hold_delete(*, instance: TestDrive, **kwargs: object) -> None:
    """A deleted booking's entry goes from its car's calendar (fleet keeps only the booking's id;
    the database's foreign key would refuse the booking's deletion otherwise)."""
    VehicleHold.objects.filter(booking_id=instance.pk).delete()
