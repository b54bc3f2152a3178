"""GET /metrics: never public by accident, and the database gauges."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from messaging.models import WebhookInbox
from sessions_app.models import SessionStatus
from tests.support import factories
from tests.support.metrics import TOKEN, scrape


def test_without_a_configured_token_metrics_is_not_found(db, settings):
    settings.METRICS_TOKEN = ""

    response = Client().get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404


def test_a_missing_or_wrong_token_is_refused(db, settings):
    settings.METRICS_TOKEN = TOKEN

    missing = Client().get("/metrics")
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    not_bearer = Client().get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})

    assert (missing.status_code, wrong.status_code, not_bearer.status_code) == (401, 401, 401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"atende_" not in wrong.content


def test_the_right_token_gets_the_prometheus_text_format(db, settings):
    settings.METRICS_TOKEN = TOKEN

    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    # A family computed at scrape time is always there (counters appear once they move).
    assert b"# TYPE atende_sessions_open gauge" in response.content


def test_sessions_open_are_counted_by_organization_and_status_at_scrape_time(
    organization, instance, settings
):
    for status in (SessionStatus.QUEUED, SessionStatus.ACTIVE, SessionStatus.ACTIVE):
        contact = factories.make_contact(organization)
        factories.make_session(contact=contact, instance=instance, status=status)
    closed = factories.make_contact(organization)
    factories.make_session(contact=closed, instance=instance, status=SessionStatus.CLOSED)

    metrics = scrape(settings)

    org = str(organization.pk)
    assert metrics.value("atende_sessions_open", organization=org, status="ACTIVE") == 2
    assert metrics.value("atende_sessions_open", organization=org, status="QUEUED") == 1
    assert metrics.value("atende_sessions_open", organization=org, status="CLOSED") == 0


def test_the_inbox_backlog_is_reported_per_instance(organization, instance, settings):
    for n in range(3):
        WebhookInbox.objects.create(
            instance=instance,
            body={"n": n},
            body_sha256=f"{n:064d}",
            received_at=timezone.now() - timedelta(seconds=90 - n),
        )

    metrics = scrape(settings)

    labels = {"organization": str(organization.pk), "instance": str(instance.pk)}
    assert metrics.value("atende_inbox_pending_rows", **labels) == 3
    assert 89 <= metrics.value("atende_inbox_oldest_pending_age_seconds", **labels) <= 120
