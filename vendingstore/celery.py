"""The Celery app. Configuration comes from Django settings prefixed ``CELERY_``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.base")

app = Celery("vendingstore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
