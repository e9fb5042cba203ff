"""What testdrives does when another app reports something: a member is about to be anonymised."""

from django.dispatch import receiver

from members.errors import MemberDeletionRefused
from members.models import Member
from members.signals import member_anonymising
from testdrives.models import ACTIVE, TestDrive


@receiver(member_anonymising)
def member_anonymising_refuse_while_booked(*, member: Member, **kwargs: object) -> None:
    """A booked or running drive needs the person: the account stays until it is over."""
    if TestDrive.objects.filter(member=member, state__in=ACTIVE).exists():
        raise MemberDeletionRefused()
