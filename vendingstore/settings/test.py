"""Test profile: the same settings with fast hashing, in-memory e-mail and a private cache.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs on PostgreSQL.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests must not share cached pages with each other or with a running demo store.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# pytest gives each session fresh folders and sets these variables for the processes it starts
# (tests/fixtures/folders.py): a killed run's leftovers never meet the next run.
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default="/tmp/vendingstore-test-media")
PRIVATE_MEDIA_ROOT = env.path("TEST_PRIVATE_MEDIA_ROOT", default="/tmp/vendingstore-test-private-media")
BIOMETRICS_FRAMES_DIR = env.path("TEST_BIOMETRICS_FRAMES_DIR", default="/tmp/vendingstore-test-face-frames")
# Tests see every change at once; the one test of the card cache turns it back on.
CATALOGUE_CACHE_SECONDS = 0
ANON_CACHE_SECONDS = 0  # the tests of vendingstore/anoncache.py turn it on
# The rate limits stay on, high enough for any test; the rate-limit tests lower them.
API_ANON_RATE = "100000/minute"
PORTAL_ANON_POST_RATE = "100000/minute"
LOGIN_FAILURES_PER_ADDRESS_RATE = "100000/minute"
