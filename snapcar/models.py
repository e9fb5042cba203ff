"""The snap-a-car index: what was seen in each catalogue photo, and the classifier fitted to it.

Both are derived data, rebuilt from fleet's ``CarPhoto`` rows by ``snapcar_reindex``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fleet.models import CarPhoto


class CarPhotoIndex(models.Model):
    """What snap-a-car saw in one catalogue photo; written by ``snapcar_index_photo`` (a task).

    Staff never edit it: replacing a photo's image makes ``image_name`` stale, and the photo
    is indexed again. Vectors are stored as raw bytes (see ``snapcar.index``).
    """

    photo = models.OneToOneField(
        CarPhoto, on_delete=models.CASCADE, primary_key=True, related_name="snapcar_index"
    )
    image_name = models.CharField(max_length=255, help_text="The image file this row was computed from.")
    embedding = models.BinaryField(help_text="float32 × 1280, unit length: the car's region.")
    keypoints = models.BinaryField(help_text="ORB keypoints of the whole picture.")
    vehicle_probability = models.FloatField(help_text="0–1; a low value means the photo hardly shows a car.")
    paint_family = models.CharField(max_length=16)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when these models lived in fleet (no data moved).
        db_table = "fleet_carphotoindex"
        verbose_name = _("snap-a-car index entry")
        verbose_name_plural = _("snap-a-car index entries")

    def __str__(self) -> str:
        return f"index of photo {self.photo_id}"


class SnapcarClassifier(models.Model):
    """A softmax regression fitted to the index; queries use the newest row.

    ``fingerprint`` names the exact set of index rows it learned from, so training again on an
    unchanged index is skipped (the task may run twice).
    """

    weights = models.BinaryField(help_text="float32 (K × 1281): weights and a bias per model.")
    model_ids = models.JSONField(help_text="The CarModel id of each of the K rows.")
    photo_count = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64, unique=True)
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "fleet_snapcarclassifier"
        ordering = ["-trained_at", "-id"]
        verbose_name = _("snap-a-car classifier")
        verbose_name_plural = _("snap-a-car classifiers")

    def __str__(self) -> str:
        return f"classifier of {self.photo_count} photos, {self.trained_at:%Y-%m-%d %H:%M}"
