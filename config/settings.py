"""All settings come from the environment, read in ``config/`` and nowhere else.

This is the settings module (``DJANGO_SETTINGS_MODULE``); the knobs of two
cohesive groups live beside it and are imported whole: ``settings_ai``
(transcription, the built-in assistant) and ``settings_pipeline`` (turns,
the door, the webhook inbox, deliveries, sends). ``config.env`` reads
``.env`` before any of them reads a variable.

With no environment at all the project runs on a laptop: SQLite and Celery's
file-system broker under ``var/``. Production refuses to start without a
``SECRET_KEY`` (``DEBUG`` off).
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, env
from config.schedules import PERIODIC_TASKS

# Whole modules, so a setting added there is a setting here with no second list.
from config.settings_ai import *  # noqa: F403
from config.settings_pipeline import *  # noqa: F403
from core.encryption import local_key
from core.logging import logging_config

# Local state of the embedded setup (SQLite file, file-system broker, media).
VAR_DIR = Path(env.str("ATENDE_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

# Secrets at rest (gateway credentials, signing secrets, the assistant's
# key) are encrypted with these Fernet keys: the first encrypts, all decrypt
# (core/encryption.py). A laptop makes its own under var/ on first run.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    VAR_DIR.mkdir(exist_ok=True)
    FIELD_ENCRYPTION_KEYS = [local_key(VAR_DIR / "field_encryption.key")]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base used to build the webhook URLs shown to operators
# (e.g. https://atende.example.com). Falls back to the request's host.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's files, served from here: /api/docs works with no internet.
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "contacts",
    "providers",
    "transcription",
    "integrations",
    "sessions_app",
    "canned",
    "messaging",
    "assistant",
    "privacy",
    "console",
]

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Console language: the agent's choice (cookie), else the browser's,
    # else Portuguese. The API answers in English unless asked otherwise.
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.ApiLanguageMiddleware",
    "core.middleware.ApiNotFoundMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An agent of an organization that requires a second factor and has none
    # is sent to set one up before any other console page.
    "accounts.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Times in the console are in the agent's organization's time zone.
    "accounts.middleware.ConsoleTimeZoneMiddleware",
    # An agent's request keeps them from going offline as idle.
    "accounts.middleware.AgentSeenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]
# Gateway webhooks (/api/v1/webhooks/) under the web's WSGI application
# (core.wsgi): what an API request needs, none of the console's.
WEBHOOK_MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ApiLanguageMiddleware",
    "core.middleware.ApiNotFoundMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'atende.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
# A kept connection is tested before a request reuses it: after a database
# restart the first request gets a fresh connection instead of an error.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded setup:
    # wait for the write lock instead of failing with "database is locked".
    # A deferred transaction that reads, then writes, while another process
    # writes gets that error at once whatever the timeout (a turn's close
    # beside a webhook's INSERT): every transaction takes the write lock
    # first (tests/sqlite/test_write_lock.py).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password guessing on the console's sign-in (django-axes): after
# LOGIN_FAILURE_LIMIT failures for one username, or from one address, that
# sign-in is refused for LOGIN_LOCKOUT_MINUTES, the right password included.
# Superusers see the attempts in the admin (Axes) and unlock there or with
# `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# A lock runs from the failure that set it: more guesses do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# The client's address behind the proxies gunicorn also believes.
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
TRUSTED_PROXIES = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1"])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# The console speaks Brazilian Portuguese first; English stays available
# (the header's language switch, remembered in a cookie for a year).
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
# The project's catalogue (`make messages`), then ours for third-party apps
# that ship no pt_BR (django-celery-beat's admin): locale_vendor/pt_BR.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Stored times are UTC; the console shows them in the organization's zone
# (Organization.timezone), or this one for users outside an organization.
TIME_ZONE = "UTC"
CONSOLE_TIME_ZONE = env.str("CONSOLE_TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True
# 1.234,5 in Portuguese, 1,234.5 in English.
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise warns on every process start when the folder is missing (before
# the first collectstatic, e.g. in tests and benchmarks).
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Customers' media on an S3-compatible bucket (AWS, MinIO, R2…) instead of
# MEDIA_ROOT, so web and worker machines need no shared volume. Files stay
# private: the API and the console stream them (docs/DEPLOY.md).
AWS_STORAGE_BUCKET_NAME = env.str("MEDIA_S3_BUCKET", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("MEDIA_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("MEDIA_S3_REGION", default="") or None
    AWS_ACCESS_KEY_ID = env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None
    AWS_SECRET_ACCESS_KEY = env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None
    AWS_LOCATION = env.str("MEDIA_S3_PREFIX", default="media")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
# Webhook bodies are small JSON documents; media arrives by reference.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Largest webhook body accepted (413 above); media arrive by reference.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)

# --- Redis / Celery -------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "out").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        # kombu's default is a relative "control/" (exchange tables), which
        # would land in whatever directory a process was started from.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # visibility_timeout: an unacked task (worker died) is redelivered after
    # this long. It must exceed the longest countdown we schedule, or Redis
    # would redeliver delayed tasks early (celery docs, "Visibility timeout").
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=270)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Celery logs through LOGGING below (same format, ids, masking) instead of
# replacing the root logger's handlers with its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.authentication.HasOrganization"],
    # JSON bodies only: a view that takes a file upload adds MultiPartParser
    # itself (and its schema says multipart/form-data for that body alone).
    "DEFAULT_PARSER_CLASSES": ["core.api.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.strict.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_RATE_LIMIT", default="600/min")},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Atende API",
    "DESCRIPTION": "WhatsApp customer service: sessions, messages, contacts and AI hand-off.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.schema_error_responses_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.SessionStatus",
        "MessageAuthorEnum": "messaging.models.Author",
        "MessageCreateAuthorEnum": ["AGENT", "AI", "AGENT_PLATFORM", "BUSINESS", "SYSTEM"],
        "DeliveryStatusEnum": "messaging.models.DeliveryStatus",
        "MessageKindEnum": "messaging.models.MessageKind",
        "MediaTypeEnum": ["audio", "image", "video", "document"],
        "MessageTypeEnum": ["TEXT", "MEDIA", "RECORDING", "CHAT_COMMAND"],
        "MessageCreateTypeEnum": ["TEXT", "MEDIA", "RECORDING", "TEMPLATE", "INTERACTIVE"],
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {"ApiKey": {"type": "http", "scheme": "bearer"}},
    },
    "SECURITY": [{"ApiKey": []}],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "core_cache"}
    )
}

# --- Logs and metrics -----------------------------------------------------
# JSON lines for a log shipper in production, readable text on a terminal;
# secrets and phone numbers masked in both (core/logging.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config(
    log_format=LOG_FORMAT,
    level=LOG_LEVEL,
    routine_tasks=[task for task, _every in PERIODIC_TASKS.values()],
)
# GET /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>";
# unset, it is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Every web and worker process writes its counters here and /metrics adds
# them up. prometheus_client reads the variable when first imported, so it
# is put in the environment here, before any app loads it.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default=str(VAR_DIR / "metrics"))
Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = PROMETHEUS_MULTIPROC_DIR

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks and the metrics scraper call from inside the network, over http.
    SECURE_REDIRECT_EXEMPT = [r"^api/health$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
