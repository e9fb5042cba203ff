"""Staff see attempts with their numbers but never an embedding; templates go when they are due."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.sites import site
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from biometrics.admin import FaceTemplateAdmin
from biometrics.crypto import template_encrypt
from biometrics.engine import Embedding
from biometrics.models import FaceEnrolment, FaceTemplate
from biometrics.services import biometrics_retention_sweep
from testdrives.models import State, TestDrive
from testdrives.services.booking import testdrive_cancel, testdrive_release
from tests.factories import StaffFactory
from tests.fixtures.world import make_member

pytestmark = pytest.mark.django_db


def template_for(member) -> FaceTemplate:
    import numpy as np

    vector = Embedding(np.arange(128, dtype=np.float32) / 128, "Dlib")
    return FaceTemplate.objects.create(member=member, model="Dlib", vector_encrypted=template_encrypt(vector))


def test_the_template_admin_never_loads_or_shows_the_vector(admin_client, clock):
    member = make_member(score=760)
    template = template_for(member)
    token = bytes(template.vector_encrypted).decode()
    request = RequestFactory().get("/")
    request.user = StaffFactory()

    admin = FaceTemplateAdmin(FaceTemplate, site)
    row = admin.get_queryset(request).get()

    assert "vector_encrypted" in row.get_deferred_fields()
    assert "vector_encrypted" not in admin.get_fields(request, row)
    for url in (
        reverse("admin:biometrics_facetemplate_changelist"),
        reverse("admin:biometrics_facetemplate_change", args=[template.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert member.full_name in response.content.decode()
        assert token[:40] not in response.content.decode()


def test_deleting_a_template_in_the_admin_deletes_a_photo_still_waiting(admin_client, clock):
    member = make_member(score=760)
    template = template_for(member)
    waiting = FaceEnrolment(member=member)
    waiting.photo.save("waiting.jpg", ContentFile(b"photo"))
    stored = waiting.photo.name

    response = admin_client.post(
        reverse("admin:biometrics_facetemplate_delete", args=[template.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not FaceTemplate.objects.filter(member=member).exists()
    waiting.refresh_from_db()
    assert not waiting.photo
    assert not default_storage.exists(stored)


def test_a_template_is_deleted_30_days_after_the_last_drive_ends_not_before(book, clock):
    member = make_member(score=760)
    template_for(member)
    td = book(member)
    clock.move_to(td.slot_end)
    TestDrive.objects.filter(pk=td.pk).update(state=State.COMPLETED, finished_at=td.slot_end)
    testdrive_release(test_drive=TestDrive.objects.get(pk=td.pk))  # what every ending service calls

    clock.move_to(td.slot_end + timedelta(days=29))
    assert biometrics_retention_sweep() == 0
    clock.move_to(td.slot_end + timedelta(days=31))
    assert biometrics_retention_sweep() == 1
    assert not FaceTemplate.objects.filter(member=member).exists()


def test_a_member_with_a_booking_under_way_keeps_the_template(book, clock):
    member = make_member(score=760)
    template_for(member)
    book(member)

    clock.shift(timedelta(days=40))  # booked long ago, still scheduled: an active booking
    assert biometrics_retention_sweep() == 0


def test_booking_marks_the_template_in_use_and_cancelling_starts_the_retention_clock(book, clock):
    member = make_member(score=760)
    template = template_for(member)

    td = book(member)
    template.refresh_from_db()
    assert template.in_use

    clock.shift(timedelta(minutes=5))
    testdrive_cancel(test_drive=td, by=member.user)
    template.refresh_from_db()
    assert not template.in_use
    assert template.last_used_at == timezone.now()


def test_a_template_enrolled_without_any_booking_goes_after_the_retention_period(clock):
    member = make_member(score=760)
    template_for(member)

    clock.shift(timedelta(days=29))
    assert biometrics_retention_sweep() == 0
    clock.shift(timedelta(days=2))
    assert biometrics_retention_sweep() == 1


def test_a_template_without_consent_in_force_is_deleted(clock):
    member = make_member(score=760, consent=False)
    template_for(member)  # e.g. an enrolment that raced a withdrawal

    assert biometrics_retention_sweep() == 1


def test_the_attempt_list_shows_numbers_by_store_and_result(admin_client, book, clock):
    import uuid

    from biometrics.models import VerificationAttempt

    td = book(make_member(score=760))
    VerificationAttempt.objects.create(
        test_drive=td,
        request_key=uuid.uuid4(),
        result="no_match",
        distance=0.81,
        threshold=0.6,
        timings_ms={"total": 97.5},
    )

    html = admin_client.get("/admin/biometrics/verificationattempt/?result__exact=no_match").content.decode()

    assert "0.81" in html
    assert "97.5" in html
    assert td.store.name in html


def test_templates_survive_a_key_rotation_and_the_old_key_can_go(settings, clock):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from biometrics.crypto import template_decrypt

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.BIOMETRICS_TEMPLATE_KEYS = [old]
    member = make_member(score=760)
    template = template_for(member)
    before = template_decrypt(template.vector_encrypted, model="Dlib").vector

    settings.BIOMETRICS_TEMPLATE_KEYS = [new, old]
    call_command("biometrics_rotate_keys", stdout=StringIO())
    settings.BIOMETRICS_TEMPLATE_KEYS = [new]

    template.refresh_from_db()
    assert (template_decrypt(template.vector_encrypted, model="Dlib").vector == before).all()


def test_staff_can_see_but_not_fake_a_biometric_consent(admin_client, super_member) -> None:
    consent = super_member.biometric_consents.get()

    listed = admin_client.get(reverse("admin:biometrics_biometricconsent_changelist"))
    shown = admin_client.get(reverse("admin:biometrics_biometricconsent_change", args=[consent.pk]))
    faked = admin_client.post(
        reverse("admin:biometrics_biometricconsent_change", args=[consent.pk]), {"version": "1999-01"}
    )

    assert super_member.full_name in listed.content.decode()
    assert shown.status_code == 200
    assert faked.status_code == 403
    assert admin_client.get(reverse("admin:biometrics_biometricconsent_add")).status_code == 403
    consent.refresh_from_db()
    assert consent.version != "1999-01"
