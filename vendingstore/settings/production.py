"""Production profile: everything secret or site-specific must come from the environment.

Passes ``manage.py check --deploy`` with no warnings when SECRET_KEY is a real secret.
"""

from django.core.exceptions import ImproperlyConfigured

from tower.protocol import secret_problems

from .base import *  # noqa: F403
from .base import TOWER_CONTROLLERS, TOWER_SECRETS, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without a real key
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Identity data outlives any one SECRET_KEY: deriving these keys from it (the development
# default) would make every stored ID number unreadable after a key rotation. No default here.
MEMBERS_ID_HASH_KEY = env.str("MEMBERS_ID_HASH_KEY")
MEMBERS_ENCRYPTION_KEYS = env.list("MEMBERS_ENCRYPTION_KEYS")
BIOMETRICS_TEMPLATE_KEYS = env.list("BIOMETRICS_TEMPLATE_KEYS")

# Tower controllers: no shared development secret here. Every tower with a controller needs its
# own long secret, or the store refuses to start: a guessable one lets anyone forge the tower's
# events (a car "delivered", a tower "on hold"). The deploy check (tower.E001) says the same.
TOWER_SECRET_DEFAULT = ""
if _tower_secret_problems := secret_problems(controllers=TOWER_CONTROLLERS, secrets=TOWER_SECRETS):
    raise ImproperlyConfigured("Tower secrets: " + "; ".join(_tower_secret_problems) + ".")
