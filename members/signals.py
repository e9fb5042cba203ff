"""Signals members sends, so the apps built on members act on a member without members knowing them.

Both are sent inside the anonymisation's transaction with the member's row locked; an exception
from a receiver rolls the whole anonymisation back.
"""

from django.dispatch import Signal

# Before anything changes: a receiver that still needs the person (a booked or running test
# drive) raises ``members.errors.MemberDeletionRefused`` with the reason in words.
# Keyword arguments: ``member``.
member_anonymising = Signal()

# The member is anonymised: receivers delete what they hold about the person (face data at once,
# PIPL art. 47). Keyword arguments: ``member``.
member_anonymised = Signal()
