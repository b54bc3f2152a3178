"""Log lines: JSON in production, readable text on a terminal, never a secret.

Every line carries the ids of what it concerns, taken from context variables
that the request middleware (``core.middleware``), the Celery signal handlers
(``core.signals``) and the services (``bind_log_context``) set: ``request_id``
or ``task_id``, and ``organization_id``, ``session_id``, ``message_id`` where
known. The formatters mask, in the whole rendered line (tracebacks and the
gunicorn access log included):

- the webhook URL's secret segment (``/webhooks/evolution/<secret>`` is the
  instance's credential: whoever reads it can post forged webhooks);
- ``token``, ``apikey``, ``hub.verify_token`` (and the like) query values
  and bearer credentials;
- phone numbers (runs of 11 to 15 digits keep their last 4).

No Django import here: gunicorn's master uses this module before Django is set up.
"""

from __future__ import annotations

import contextvars
import logging
import re

from gunicorn.glogging import Logger as GunicornBaseLogger
from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("request_id", "task_id", "organization_id", "session_id", "message_id")
_context: dict[str, contextvars.ContextVar] = {
    name: contextvars.ContextVar(name, default=None) for name in CONTEXT_FIELDS
}

MASK = "***"
_WEBHOOK_SECRET = re.compile(r"(/webhooks/[A-Za-z0-9_-]+/)(?!i/)([^/\s?#\"']+)")
_SECRET_QUERY = re.compile(
    r"((?:[?&;]|\b)(?:hub(?:\.|%2E|%2e)verify_token|access_token|verify_token|token|apikey|api_key)"
    r"(?:=|%3D|%3d))([^&\s\"'#]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w.-])(\+?)(\d{7,11})(\d{4})(?![\w-])")


def mask_secrets(text: str) -> str:
    """The text with webhook secrets, credentials and phone numbers masked."""
    text = _WEBHOOK_SECRET.sub(rf"\1{MASK}", text)
    text = _SECRET_QUERY.sub(rf"\1{MASK}", text)
    text = _BEARER.sub(rf"\1{MASK}", text)
    return _PHONE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def bind_log_context(**ids) -> None:
    """Attach ids (``organization_id``, ``session_id``, ``message_id``…) to the
    log lines of the current request or task from here on."""
    for name, value in ids.items():
        if name in _context and value is not None:
            _context[name].set(str(value))


def unbind_log_context(*names: str) -> None:
    """Forget these ids: the work they concerned is over (a drain's next row)."""
    for name in names:
        _context[name].set(None)


def new_log_context(**ids) -> None:
    """Start a request's or a task's context: every id cleared, then these set."""
    for name in CONTEXT_FIELDS:
        _context[name].set(None)
    bind_log_context(**ids)


def log_context() -> dict:
    return {name: var.get() for name, var in _context.items() if var.get() is not None}


class ContextFilter(logging.Filter):
    """Adds the current ids to every record (an explicit ``extra`` wins); ids
    not known are left out rather than written as nulls."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _context.items():
            value = var.get()
            if value is not None and getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


class MaskingJsonFormatter(JsonFormatter):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s %(process)d", *args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


class MaskingTextFormatter(logging.Formatter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{name.removesuffix('_id')}={getattr(record, name)}"
            for name in CONTEXT_FIELDS
            if getattr(record, name, None) is not None
        )
        record.ids = f" [{ids}]" if ids else ""
        return mask_secrets(super().format(record))


class RoutineFilter(logging.Filter):
    """Celery's INFO lines about periodic tasks (beat sending one, the worker
    receiving it, its success), every few seconds for each sweeper, go down
    to DEBUG: at INFO they would scroll everything else off a terminal. Their
    failures keep their level. Also drops kombu's note that a file-system
    broker URL names no host (it needs none)."""

    _CELERY_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")

    def __init__(self, routine_tasks=(), level: str = "INFO") -> None:
        super().__init__()
        names = "|".join(re.escape(task) for task in routine_tasks)
        self._routine = re.compile(rf"(?<![\w.])(?:{names})[\[)]") if names else None
        self._level = logging.getLevelName(level.upper()) if isinstance(level, str) else level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "kombu.connection" and str(record.msg).startswith("No hostname"):
            return False
        if (
            self._routine is not None
            and record.levelno == logging.INFO
            and record.name in self._CELERY_LOGGERS
            and self._routine.search(record.getMessage())
        ):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return not isinstance(self._level, int) or self._level <= logging.DEBUG
        return True


def logging_config(
    *, log_format: str, level: str, gunicorn: bool = False, routine_tasks=()
) -> dict:
    """The ``dictConfig`` for Django and Celery (``LOGGING``) or gunicorn
    (``logconfig_dict``): one format for application and access lines.
    ``routine_tasks``: names of the periodic tasks whose runs log at DEBUG."""
    formatter = "json" if log_format == "json" else "text"
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "core.logging.ContextFilter"},
            "routine": {
                "()": "core.logging.RoutineFilter",
                "routine_tasks": list(routine_tasks),
                "level": level,
            },
        },
        "formatters": {
            "json": {"()": "core.logging.MaskingJsonFormatter"},
            "text": {"()": "core.logging.MaskingTextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["routine", "context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers (DEBUG console, runserver's access lines)
            # would print unmasked paths: its loggers use ours instead.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            # "<path>/.env not found" at every start: a .env is optional.
            "environ.environ": {"level": "WARNING"},
        },
    }
    if gunicorn:
        config["loggers"].update(
            {
                "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
                "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
            }
        )
    return config


class GunicornLogger(GunicornBaseLogger):
    """Access lines as structured records (method, route, status, duration,
    request id) through the same formatters as the application's."""

    def access(self, resp, req, environ, request_time) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig_dict):
            return
        status = str(resp.status).split(None, 1)[0] if resp.status else "-"
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        target = f"{path}?{query}" if query else path
        fields = {
            "request_id": _response_header(resp, "x-request-id"),
            "http_method": environ.get("REQUEST_METHOD"),
            "http_path": mask_secrets(target),
            "http_status": int(status) if status.isdigit() else None,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "response_bytes": getattr(resp, "sent", None),
        }
        self.access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD", "-"),
            target,
            status,
            extra={key: value for key, value in fields.items() if value is not None},
        )


def _response_header(resp, name: str) -> str | None:
    for key, value in getattr(resp, "headers", None) or []:
        if key.lower() == name:
            return value
    return None
