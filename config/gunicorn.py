"""gunicorn's settings (``gunicorn config.wsgi -c config/gunicorn.py``).

Access lines go through the application's formatters (core/logging.py):
JSON or text like every other line, with the request id, and with webhook
secrets and credentials masked — gunicorn's own access format would print
``POST /api/v1/webhooks/evolution/<the instance's secret>``.
"""

from pathlib import Path

import environ

from core.logging import logging_config

env = environ.Env()
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)

bind = f"0.0.0.0:{env.int('PORT', default=8000)}"
workers = env.int("WEB_CONCURRENCY", default=2)
timeout = env.int("WEB_TIMEOUT", default=30)
# Proxies whose X-Forwarded-* headers gunicorn believes (comma-separated, or *).
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", default="127.0.0.1")
# No cap of gunicorn's own on the request line: its 414 is an HTML page the
# API's schema cannot promise. A long query string is still bounded by
# Django (a JSON 400 past DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000 fields) and by
# the proxy in front (docs/DEPLOY.md).
limit_request_line = 0
accesslog = "-"
logger_class = "core.logging.GunicornLogger"
logconfig_dict = logging_config(
    log_format=env.str("LOG_FORMAT", default="text" if env.bool("DEBUG", default=True) else "json"),
    level=env.str("LOG_LEVEL", default="INFO"),
    gunicorn=True,
)
