"""Retention per organization: the API sets it, a real worker's daily task applies it."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Organization
from messaging.models import Message, MessageKind
from privacy.services.retention import organization_retention_apply, retention_apply
from sessions_app.models import SessionEvent, SessionStatus
from sessions_app.services.csat import session_csat_record
from tests.support import factories
from tests.support.metrics import scrape
from tests.support.worker import purge_broker, running_worker

URL = "/api/v1/organization"
KEEP = {"messagesDays": None, "mediaDays": None, "closedSessionsDays": None}


def test_put_sets_the_retention_and_get_reads_it(api_client, organization, other_organization):
    body = {"retention": {"messagesDays": 365, "mediaDays": 30, "closedSessionsDays": None}}

    response = api_client.put(URL, body, format="json")

    assert response.status_code == 200
    assert response.json()["retention"] == body["retention"]
    assert api_client.get(URL).json()["retention"] == body["retention"]
    organization.refresh_from_db()
    assert (organization.retention_messages_days, organization.retention_media_days) == (365, 30)
    # Only the key's own organization changes.
    other_organization.refresh_from_db()
    assert other_organization.retention_messages_days is None


@pytest.mark.parametrize(
    "retention",
    [
        {"messagesDays": "30", "mediaDays": None, "closedSessionsDays": None},
        {"messagesDays": 0, "mediaDays": None, "closedSessionsDays": None},
        {"messagesDays": 30.5, "mediaDays": None, "closedSessionsDays": None},
        {"messagesDays": True, "mediaDays": None, "closedSessionsDays": None},
        {"messagesDays": 36501, "mediaDays": None, "closedSessionsDays": None},
        {"messagesDays": 30},
    ],
)
def test_bad_retention_is_refused_and_changes_nothing(api_client, organization, retention):
    response = api_client.put(URL, {"retention": retention}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert api_client.get(URL).json()["retention"] == KEEP


def test_the_body_must_be_json(api_client):
    assert api_client.put(URL, {"retention": ""}).status_code == 415


def _old(message: Message, days: int) -> Message:
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=days))
    return message


def _aged_history(organization, instance, media_root: str):
    session = factories.make_session(
        contact=factories.make_contact(organization), instance=instance
    )
    old_text = _old(factories.make_message(session, text="texto de 400 dias"), 400)
    old_photo = factories.make_message(session, kind=MessageKind.IMAGE, text="foto de 60 dias")
    old_photo.media_file.save("foto.jpg", ContentFile(b"\xff\xd8 60 days"))
    _old(old_photo, 60)
    recent = factories.make_message(session, text="texto de ontem")
    closed = factories.make_session(contact=factories.make_contact(organization), instance=instance)
    closed_message = factories.make_message(closed, text="conversa encerrada")
    SessionEvent.objects.create(
        organization=organization, session=closed, code="closed", text="Closed by Ana"
    )
    closed.__class__.objects.filter(pk=closed.pk).update(
        status=SessionStatus.CLOSED, closed_at=timezone.now() - timedelta(days=10)
    )
    return {
        "old_text": old_text,
        "old_photo": old_photo,
        "photo_path": Path(media_root) / old_photo.media_file.name,
        "recent": recent,
        "closed_message": closed_message,
        "closed": closed,
    }


@pytest.mark.worker
def test_the_daily_task_erases_past_retention_in_a_real_worker(
    transactional_db, organization, other_organization, instance, settings
):
    Organization.objects.filter(pk=organization.pk).update(
        retention_messages_days=365, retention_media_days=30, retention_closed_sessions_days=7
    )
    rows = _aged_history(organization, instance, settings.MEDIA_ROOT)
    # Another organization keeps everything.
    other_session = factories.make_session(
        contact=factories.make_contact(other_organization),
        instance=factories.make_instance(other_organization),
    )
    kept = _old(factories.make_message(other_session, text="guardada há 400 dias"), 400)
    assert rows["photo_path"].exists()

    purge_broker()
    with running_worker(extra_env={"MEDIA_ROOT": settings.MEDIA_ROOT}):
        retention_apply.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            # The closed session's events are erased after its messages.
            if (
                Message.objects.get(pk=rows["closed_message"].pk).content_erased_at
                and not SessionEvent.objects.get(session=rows["closed"]).text
            ):
                break
            time.sleep(0.3)

    old_text = Message.objects.get(pk=rows["old_text"].pk)
    assert (old_text.text, old_text.content_erased_at is not None) == ("", True)
    photo = Message.objects.get(pk=rows["old_photo"].pk)
    # Media past 30 days goes; its caption is younger than 365 days and stays.
    assert (photo.media_file.name, photo.text) == ("", "foto de 60 dias")
    assert not rows["photo_path"].exists()
    assert Message.objects.get(pk=rows["recent"].pk).text == "texto de ontem"
    assert Message.objects.get(pk=rows["closed_message"].pk).text == ""
    assert SessionEvent.objects.get(session=rows["closed"]).text == ""
    assert Message.objects.get(pk=kept.pk).text == "guardada há 400 dias"


def test_a_second_run_erases_nothing_more_and_the_metric_counts(
    organization, instance, settings, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=organization.pk).update(
        retention_messages_days=365, retention_media_days=30, retention_closed_sessions_days=7
    )
    organization.refresh_from_db()
    _aged_history(organization, instance, settings.MEDIA_ROOT)
    before = scrape(settings)

    with django_capture_on_commit_callbacks(execute=True):
        first = organization_retention_apply(organization)
        again = organization_retention_apply(organization)

    # old text, old photo's media, the closed session's message and the session itself.
    assert (first, again) == (4, 0)
    after = scrape(settings)
    name = "atende_retention_rows_erased_total"
    for kind, count in [("messages", 2), ("media", 1), ("sessions", 1)]:
        assert after.value(name, kind=kind) - before.value(name, kind=kind) == count, kind


def test_survey_comments_go_with_the_messages_and_closed_sessions_the_rating_stays(
    organization, instance
):
    Organization.objects.filter(pk=organization.pk).update(
        retention_messages_days=365, retention_closed_sessions_days=7
    )
    organization.refresh_from_db()
    sessions = []
    for answered_days_ago, closed_days_ago in [(400, None), (1, 10), (1, 1)]:
        session = factories.make_session(
            contact=factories.make_contact(organization), instance=instance
        )
        session_csat_record(session=session, rating=5, comment=f"ótimo, {answered_days_ago}d")
        session.__class__.objects.filter(pk=session.pk).update(
            csat_answered_at=timezone.now() - timedelta(days=answered_days_ago),
            **(
                {
                    "status": SessionStatus.CLOSED,
                    "closed_at": timezone.now() - timedelta(days=closed_days_ago),
                }
                if closed_days_ago
                else {}
            ),
        )
        sessions.append(session)

    organization_retention_apply(organization)

    comments = []
    for session in sessions:
        session.refresh_from_db()
        event = SessionEvent.objects.get(session=session, code="csat_answered")
        comments.append((session.csat_rating, session.csat_comment, event.data.get("comment")))
    assert comments == [(5, "", None), (5, "", None), (5, "ótimo, 1d", "ótimo, 1d")]
    assert SessionEvent.objects.get(session=sessions[0], code="csat_answered").data == {"rating": 5}
