"""gunicorn's settings (``gunicorn config.wsgi -c config/gunicorn.py``).

Access lines go through the application's formatters (core/logging.py):
JSON or text like every other line, with the request id, and with webhook
secrets and credentials masked — gunicorn's own access format would print
``POST /api/v1/webhooks/evolution/<the instance's secret>``.
"""

from pathlib import Path

import environ

from core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# 0.0.0.0 for a container behind its platform's router; `make run` passes
# HOST=127.0.0.1 so the demo's admin/admin is not reachable from the network.
bind = f"{env.str('HOST', default='0.0.0.0')}:{env.int('PORT', default=8000)}"  # noqa: S104
# gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, one path
# for every checkout on the machine: it lives with the other runtime files.
# A Unix socket's path has at most 107 bytes; a deeper var/ goes without one.
_control_socket = Path(env.str("ATENDE_VAR_DIR", default=str(BASE_DIR / "var"))) / "gunicorn.ctl"
if len(str(_control_socket).encode()) < 100:
    control_socket = str(_control_socket)
else:
    control_socket_disable = True
workers = env.int("WEB_CONCURRENCY", default=2)
# Connections waiting for a busy web: in a reply wave the proxy opens one per
# webhook it holds; past the backlog the kernel drops their SYNs, and the
# retried ones arrive seconds out of order (docs/DEPLOY.md). The kernel caps
# it at net.core.somaxconn (4096 on current kernels).
backlog = 4096
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
