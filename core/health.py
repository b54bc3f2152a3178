from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from core.models import Heartbeat

# The heartbeat task runs every 15 s; three missed beats means no worker.
WORKER_STALE_AFTER = timedelta(seconds=60)


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": str(exc)[:200]}


def check_broker() -> dict:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return {"ok": True, "url": _redact(settings.CELERY_BROKER_URL)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)[:200]}


def check_worker() -> dict:
    try:
        beat = Heartbeat.objects.filter(name="worker").first()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)[:200]}
    if beat is None:
        return {"ok": False, "error": "no worker heartbeat yet"}
    age = timezone.now() - beat.beat_at
    return {
        "ok": age <= WORKER_STALE_AFTER,
        "lastHeartbeat": beat.beat_at.isoformat(),
        "ageSeconds": round(age.total_seconds(), 1),
        "hostname": beat.hostname,
    }


# Checks of the apps above core, registered from their AppConfig.ready()
# (core imports none of them).
_APP_CHECKS: dict[str, Callable[[], dict]] = {}


def register_check(name: str, check: Callable[[], dict]) -> None:
    _APP_CHECKS[name] = check


def health_report() -> tuple[bool, dict]:
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        "worker": check_worker(),
    }
    for name, check in _APP_CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - a failing check is a failed check
            checks[name] = {"ok": False, "error": str(exc)[:200]}
    healthy = all(c["ok"] for c in checks.values())
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
