"""All settings come from the environment, read here and nowhere else.

With no environment at all the project runs on a laptop: SQLite and Celery's
file-system broker under ``var/``. Production refuses to start without a
``SECRET_KEY`` (``DEBUG`` off).
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Local state of the embedded setup (SQLite file, file-system broker, media).
VAR_DIR = Path(env.str("ATENDE_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

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
    "django_celery_beat",
    "core",
    "accounts",
    "contacts",
    "providers",
    "transcription",
    "integrations",
    "sessions_app",
    "messaging",
    "assistant",
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
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Times in the console are in the agent's organization's time zone.
    "accounts.middleware.ConsoleTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# --- OpenAI / transcription ----------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
# Organizations override models and prompts in Organization.transcription_settings
# (audioModel, visionModel, audioPrompt, imagePrompt, pdfPrompt). See docs/TRANSCRIPTION.md.
TRANSCRIPTION_AUDIO_MODEL = env.str("TRANSCRIPTION_AUDIO_MODEL", default="whisper-1")
TRANSCRIPTION_VISION_MODEL = env.str("TRANSCRIPTION_VISION_MODEL", default="gpt-4o-mini")
TRANSCRIPTION_AUDIO_PROMPT = env.str("TRANSCRIPTION_AUDIO_PROMPT", default="")
TRANSCRIPTION_IMAGE_PROMPT = env.str(
    "TRANSCRIPTION_IMAGE_PROMPT",
    default=(
        "Descreva esta imagem de forma objetiva, em português do Brasil, para um atendente "
        "que não pode vê-la. Se houver texto visível (documentos, prints, placas, etiquetas), "
        "transcreva-o exatamente como aparece, depois de 'Texto visível:'."
    ),
)
TRANSCRIPTION_PDF_PROMPT = env.str(
    "TRANSCRIPTION_PDF_PROMPT",
    default=(
        "Estas são páginas digitalizadas de um documento PDF. Transcreva todo o texto visível, "
        "na ordem de leitura, em português do Brasil quando houver dúvida. Descreva brevemente "
        "tabelas, carimbos ou assinaturas que não sejam texto."
    ),
)
TRANSCRIPTION_VISION_MAX_TOKENS = env.int("TRANSCRIPTION_VISION_MAX_TOKENS", default=1000)
# Largest media we download per message kind. WhatsApp's own limits as defaults
# (Cloud API "Supported media types": audio/video 16 MB, images 5 MB, documents
# 100 MB, animated stickers 500 KB).
TRANSCRIPTION_MAX_BYTES = {
    "audio": env.int("TRANSCRIPTION_MAX_AUDIO_BYTES", default=16 * 1024 * 1024),
    "voice": env.int("TRANSCRIPTION_MAX_AUDIO_BYTES", default=16 * 1024 * 1024),
    "video": env.int("TRANSCRIPTION_MAX_VIDEO_BYTES", default=16 * 1024 * 1024),
    "image": env.int("TRANSCRIPTION_MAX_IMAGE_BYTES", default=5 * 1024 * 1024),
    "sticker": env.int("TRANSCRIPTION_MAX_STICKER_BYTES", default=500 * 1024),
    "document": env.int("TRANSCRIPTION_MAX_DOCUMENT_BYTES", default=100 * 1024 * 1024),
}
TRANSCRIPTION_PDF_MAX_PAGES = env.int("TRANSCRIPTION_PDF_MAX_PAGES", default=50)
# Scanned PDFs: at most this many pages' images go to the vision model.
TRANSCRIPTION_PDF_VISION_MAX_PAGES = env.int("TRANSCRIPTION_PDF_VISION_MAX_PAGES", default=5)
TRANSCRIPTION_MAX_CHARS = env.int("TRANSCRIPTION_MAX_CHARS", default=20000)
TRANSCRIPTION_REQUEST_TIMEOUT = env.float("TRANSCRIPTION_REQUEST_TIMEOUT", default=240)
TRANSCRIPTION_FFMPEG_TIMEOUT = env.float("TRANSCRIPTION_FFMPEG_TIMEOUT", default=180)
# Transient failures (timeouts, 429, 5xx) retry after backoff * 2**(attempt-1)
# seconds, capped; a message gets at most MAX_ATTEMPTS tries, then FAILED.
TRANSCRIPTION_MAX_ATTEMPTS = env.int("TRANSCRIPTION_MAX_ATTEMPTS", default=6)
TRANSCRIPTION_RETRY_BACKOFF = env.int("TRANSCRIPTION_RETRY_BACKOFF", default=15)
TRANSCRIPTION_RETRY_BACKOFF_MAX = env.int("TRANSCRIPTION_RETRY_BACKOFF_MAX", default=600)
TRANSCRIPTION_TASK_TIME_LIMIT = env.int("TRANSCRIPTION_TASK_TIME_LIMIT", default=900)
# PENDING rows untouched this long lost their task (Redis flushed, enqueue
# lost): the sweeper queues them again. Must exceed RETRY_BACKOFF_MAX.
TRANSCRIPTION_STALE_PENDING_SECONDS = env.int("TRANSCRIPTION_STALE_PENDING_SECONDS", default=900)
TRANSCRIPTION_TMP_DIR = env.str("TRANSCRIPTION_TMP_DIR", default="") or None

# --- Built-in assistant (docs/ASSISTANT.md) ----------------------------------
ASSISTANT_DEFAULT_MODEL = env.str("ASSISTANT_DEFAULT_MODEL", default="gpt-4o-mini")
ASSISTANT_REQUEST_TIMEOUT = env.float("ASSISTANT_REQUEST_TIMEOUT", default=60)
# Timeouts, 429 and 5xx are tried again after these waits (seconds); other
# 4xx answers are permanent. Then the assistant hands off to a person.
ASSISTANT_RETRY_BACKOFF_SECONDS = [
    float(s) for s in env.list("ASSISTANT_RETRY_BACKOFF_SECONDS", default=["2", "8"])
]
ASSISTANT_MAX_TOOL_ROUNDS = env.int("ASSISTANT_MAX_TOOL_ROUNDS", default=3)
ASSISTANT_KNOWLEDGE_TOP_K = env.int("ASSISTANT_KNOWLEDGE_TOP_K", default=4)
ASSISTANT_CHUNK_CHARS = env.int("ASSISTANT_CHUNK_CHARS", default=1200)
ASSISTANT_DOCUMENT_MAX_BYTES = env.int("ASSISTANT_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Default of a new assistant's daily token budget (the organization's total).
ASSISTANT_DAILY_TOKEN_BUDGET = env.int("ASSISTANT_DAILY_TOKEN_BUDGET", default=500_000)
ASSISTANT_TASK_TIME_LIMIT = env.int("ASSISTANT_TASK_TIME_LIMIT", default=300)
# Cached model answers (transcripts of customers' media) are kept this long:
# long enough for a file forwarded around to cost one call, no longer.
TRANSCRIPTION_CACHE_RETENTION_DAYS = env.int("TRANSCRIPTION_CACHE_RETENTION_DAYS", default=30)

# --- Turns (debounce) and integration deliveries --------------------------
# A burst of customer messages closes early after this many seconds from its
# first message, or at this many messages, so a chatty customer still gets
# answers.
CONCAT_MAX_WAIT_SECONDS = env.int("CONCAT_MAX_WAIT_SECONDS", default=60)
CONCAT_MAX_MESSAGES = env.int("CONCAT_MAX_MESSAGES", default=20)
# How long a closing turn waits for media transcriptions still running
# (counted from its last message) before it goes with a placeholder.
CONCAT_MEDIA_WAIT_SECONDS = env.int("CONCAT_MEDIA_WAIT_SECONDS", default=60)
# An OPEN turn this many seconds past its window lost its task (a worker
# killed, Redis flushed): the sweeper (every 5 s) closes it.
CONCAT_SWEEP_GRACE_SECONDS = env.int("CONCAT_SWEEP_GRACE_SECONDS", default=3)
# Windows are measured on arrival times (the webhook's received_at). A
# webhook stamped just before a window's end may still be committing when
# the window ends: a turn closes this much after its window, and only once
# every webhook of its chat's inbox partition that arrived before the end is
# ingested.
CONCAT_ARRIVAL_GRACE_SECONDS = env.float("CONCAT_ARRIVAL_GRACE_SECONDS", default=1.0)
# The door (messaging.inbound.door): how late the web processes handle
# webhooks, read from the gateway's own send stamps. A webhook's arrival is
# moved back by its wait, at most DOOR_MAX_LAG_SECONDS and at most how long
# the web process has been busy (a gap of DOOR_IDLE_GAP_SECONDS between two
# webhooks means it was idle). The clocks' offset is the smallest difference
# of the last DOOR_OFFSET_WINDOW_SECONDS (longer than the longest wait it
# must see whole). A webhook stored more than DOOR_LATE_SECONDS late
# publishes the door's position for DOOR_POSITION_TTL_SECONDS; due turns
# wait for the door to pass their end.
DOOR_MAX_LAG_SECONDS = env.float("DOOR_MAX_LAG_SECONDS", default=60.0)
DOOR_OFFSET_WINDOW_SECONDS = env.float("DOOR_OFFSET_WINDOW_SECONDS", default=120.0)
DOOR_IDLE_GAP_SECONDS = env.float("DOOR_IDLE_GAP_SECONDS", default=1.0)
DOOR_LATE_SECONDS = env.float("DOOR_LATE_SECONDS", default=0.5)
DOOR_POSITION_TTL_SECONDS = env.int("DOOR_POSITION_TTL_SECONDS", default=2)
# A message its sender deleted for everyone is hidden at once; its text,
# media, transcription and earlier versions are kept this many days (for a
# dispute or an audit) and then erased by a daily task.
DELETED_MESSAGE_RETENTION_DAYS = env.int("DELETED_MESSAGE_RETENTION_DAYS", default=30)
# Seconds between webhook delivery attempts: 8 tries over about an hour.
INTEGRATION_RETRY_BACKOFF_SECONDS = [
    int(s) for s in env.list("INTEGRATION_RETRY_BACKOFF_SECONDS", default=[])
] or [30, 60, 120, 300, 600, 900, 1500]

# --- Webhook inbox (messaging.inbound.inbox) ----------------------------
# A partition with rows still pending this many seconds after arrival has
# lost its drain (a killed worker, a flushed Redis, a failed wake-up): the
# sweeper (every 5 s) wakes it again.
WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS = env.int("WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS", default=5)
# A run's claim on a row in the embedded SQLite setup (no advisory locks);
# must exceed the task's hard time limit (60 s). On PostgreSQL a drain that
# holds its partition's lock takes over the rows a dead drain had claimed.
WEBHOOK_INBOX_CLAIM_SECONDS = env.int("WEBHOOK_INBOX_CLAIM_SECONDS", default=120)
# Runs that failed (other than an unparseable body) before a row is left alone.
WEBHOOK_INBOX_MAX_ATTEMPTS = env.int("WEBHOOK_INBOX_MAX_ATTEMPTS", default=8)
# A row that failed n times is tried again n times this many seconds after
# it arrived (and, failed, holds no turn back meanwhile).
WEBHOOK_INBOX_RETRY_SECONDS = env.int("WEBHOOK_INBOX_RETRY_SECONDS", default=15)
# Each instance's inbox is split by chat into this many partitions, each
# drained by one task at a time: chats drain in parallel on several workers,
# one chat's webhooks in arrival order.
WEBHOOK_INBOX_PARTITIONS = env.int("WEBHOOK_INBOX_PARTITIONS", default=4)
# A drain claims this many rows at a time (ingested together where they are
# plain texts of known customers) and hands over to a fresh task, at the
# back of the queue, after this many seconds: a worker process is never held
# so long that the turn tasks due meanwhile wait for a free one.
WEBHOOK_INBOX_DRAIN_BATCH = env.int("WEBHOOK_INBOX_DRAIN_BATCH", default=200)
WEBHOOK_INBOX_DRAIN_SECONDS = env.int("WEBHOOK_INBOX_DRAIN_SECONDS", default=2)
# Each web process remembers the instance a webhook URL names this long: a
# deactivated instance or a changed secret reaches webhooks that much later.
WEBHOOK_INSTANCE_CACHE_SECONDS = env.int("WEBHOOK_INSTANCE_CACHE_SECONDS", default=5)
# Processed rows are kept this long (and a byte-identical retry is a
# duplicate for as long), then the daily cleanup deletes them.
WEBHOOK_INBOX_RETENTION_DAYS = env.int("WEBHOOK_INBOX_RETENTION_DAYS", default=7)

# Largest webhook body accepted (413 above); media arrive by reference.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)
# Meta's Graph API, for Cloud API instances without a base URL of their own.
CLOUDAPI_BASE_URL = env.str("CLOUDAPI_BASE_URL", default="https://graph.facebook.com/v21.0")

# An outbound message PENDING and untouched this long lost its send task
# (longer than the send retries' largest backoff, 600 s + jitter).
OUTBOUND_REQUEUE_AFTER_SECONDS = env.int("OUTBOUND_REQUEUE_AFTER_SECONDS", default=900)
# First wait before a send is retried (doubles each try, capped at 600 s).
OUTBOUND_RETRY_BASE_SECONDS = env.float("OUTBOUND_RETRY_BASE_SECONDS", default=10)

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.authentication.HasOrganization"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
        "core.api.schema_error_responses_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.SessionStatus",
        "MessageAuthorEnum": "messaging.models.Author",
        "DeliveryStatusEnum": "messaging.models.DeliveryStatus",
        "MessageKindEnum": "messaging.models.MessageKind",
        "MediaTypeEnum": ["audio", "image", "video", "document"],
        "MessageTypeEnum": ["TEXT", "MEDIA", "RECORDING", "CHAT_COMMAND"],
        "MessageCreateTypeEnum": ["TEXT", "MEDIA", "RECORDING"],
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {"ApiKey": {"type": "http", "scheme": "bearer"}},
    },
    "SECURITY": [{"ApiKey": []}],
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
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
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
