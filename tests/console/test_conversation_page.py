"""The conversation page: bubbles, events, media, transcriptions, ticks, turns."""

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Delivery, Integration
from messaging.models import Author, Direction, DispatchStatus, MessageKind, Turn, TurnStatus
from sessions_app.services.events import session_event_record
from tests.support import factories
from tests.support.console import make_media_message

pytestmark = pytest.mark.django_db


def page(client, session) -> str:
    url = reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def make_turn(session, *, texts, **fields):
    now = timezone.now()
    turn = Turn.objects.create(
        organization=session.organization,
        session=session,
        status=TurnStatus.CLOSED,
        first_message_at=now,
        last_message_at=now,
        messages_count=len(texts),
        text=" ".join(texts),
        **fields,
    )
    for text in texts:
        factories.make_message(session, text=text, turn=turn)
    return turn


def test_bubbles_are_placed_by_direction_and_author(agent_client, chat_session):
    for author, direction in [
        (Author.CUSTOMER, Direction.INBOUND),
        (Author.AGENT, Direction.OUTBOUND),
        (Author.AI, Direction.OUTBOUND),
        (Author.BUSINESS, Direction.OUTBOUND),
    ]:
        factories.make_message(
            chat_session, text=f"from {author}", author=author, direction=direction
        )
    body = page(agent_client, chat_session)
    assert 'class="atd-msg atd-in atd-author-customer"' in body
    assert 'class="atd-msg atd-out atd-author-agent"' in body
    assert 'class="atd-msg atd-out atd-author-ai"' in body
    assert 'class="atd-msg atd-out atd-author-business"' in body
    assert ">Maria</div>" in body  # the customer's name labels their bubbles
    assert ">Business phone</div>" in body
    assert body.index("from CUSTOMER") < body.index("from AGENT") < body.index("from BUSINESS")


def test_session_events_appear_as_system_lines_in_order(agent_client, chat_session):
    factories.make_message(chat_session, text="before")
    session_event_record(
        session=chat_session, code="ai_blocked", text="AI blocked for 30 min.", actor="agent:ana"
    )
    factories.make_message(chat_session, text="after")
    body = page(agent_client, chat_session)
    assert 'data-event="ai_blocked"' in body
    assert body.index("before") < body.index("AI blocked for 30 min.") < body.index("after")


def test_media_is_inline_with_transcriptions_under_it(agent_client, chat_session):
    image = make_media_message(
        chat_session, transcription="A receipt", transcription_status="DONE", text="my receipt"
    )
    audio = make_media_message(
        chat_session,
        kind=MessageKind.VOICE,
        data=b"RIFF....WAVE",
        name="voice.wav",
        mimetype="audio/wav",
        transcription_status="PENDING",
    )
    document = make_media_message(
        chat_session,
        kind=MessageKind.DOCUMENT,
        data=b"%PDF-1.4",
        name="invoice.pdf",
        mimetype="application/pdf",
        transcription_status="FAILED",
        transcription_error="unreadable",
    )
    factories.make_message(chat_session, kind=MessageKind.VIDEO, text="", media_filename="v.mp4")
    body = page(agent_client, chat_session)
    image_url = reverse("admin:messaging_message_media", args=[image.pk])
    assert f'<img class="atd-thumb" src="{image_url}"' in body
    assert '<div class="atd-transcription">A receipt</div>' in body
    audio_url = reverse("admin:messaging_message_media", args=[audio.pk])
    assert f'<audio controls preload="metadata" src="{audio_url}"' in body
    assert "transcribing…" in body
    assert f'href="{reverse("admin:messaging_message_media", args=[document.pk])}"' in body
    assert "📄 invoice.pdf" in body
    assert "transcription failed: unreadable" in body
    assert "[Video: v.mp4 — not stored yet]" in body


def test_delivery_ticks_with_the_error_on_hover(agent_client, chat_session):
    for status, error in [
        ("SENT", ""),
        ("DELIVERED", ""),
        ("READ", ""),
        ("FAILED", "number not on WhatsApp"),
    ]:
        factories.make_message(
            chat_session,
            text=status,
            author=Author.AGENT,
            direction=Direction.OUTBOUND,
            delivery_status=status,
            delivery_error=error,
        )
    body = page(agent_client, chat_session)
    assert 'title="sent" data-status="sent">✓<' in body
    assert 'title="delivered" data-status="delivered">✓✓<' in body
    assert 'atd-tick-read" title="read" data-status="read">✓✓<' in body
    assert 'title="failed: number not on WhatsApp" data-status="failed">' in body


def test_turns_are_grouped_with_their_dispatch_decision(agent_client, chat_session):
    integration = Integration.objects.create(
        organization=chat_session.organization, name="Bot", url="https://bot.example.com"
    )
    sent = make_turn(chat_session, texts=["oi", "tudo bem?"], dispatch_status="DISPATCHED")
    Delivery.objects.create(
        organization=chat_session.organization,
        integration=integration,
        event="turn.ready",
        dedupe_key=str(sent.pk),
        payload={},
        turn=sent,
        status="SUCCEEDED",
    )
    make_turn(
        chat_session,
        texts=["still there?"],
        dispatch_status=DispatchStatus.SKIPPED,
        dispatch_reason="ai_blocked",
    )
    body = page(agent_client, chat_session)
    assert body.count('class="atd-turn"') == 2
    assert "Turn · 2 messages merged" in body
    group = body[body.index(f'data-turn="{sent.pk}"') :]
    assert group.index("oi") < group.index("tudo bem?") < group.index("AI: sent to Bot (delivered)")
    assert "AI: not sent: AI blocked" in body


def test_the_sidebar_shows_state_tags_and_actions(agent_client, chat_session, organization):
    tag = factories.make_tabulation(organization, name="vip", background_color="#00ff00")
    factories.make_tabulation(organization, name="lead")
    chat_session.session_tabulations.create(tabulation=tag)
    body = page(agent_client, chat_session)
    for marker in [
        'id="atd-take-over"',
        'id="atd-give-back"',
        'id="atd-bypass"',
        'id="atd-accept"',
        'id="atd-pause"',
        'id="atd-close"',
        'id="atd-assign-me"',
        'id="atd-tag-add"',
        'id="atd-send"',
        'name="csrfmiddlewaretoken"',
        ">vip</span>",
        '<option value="',
    ]:
        assert marker in body, marker
    assert 'id="atd-reopen"' not in body


def test_the_poll_returns_new_content_only_when_something_changed(agent_client, chat_session):
    url = reverse("admin:sessions_app_chatsession_poll", args=[chat_session.pk])
    first = agent_client.get(url).json()
    assert first["changed"] is True
    again = agent_client.get(url, {"version": first["version"]}).json()
    assert again == {"version": first["version"], "changed": False}
    factories.make_message(chat_session, text="a new customer message")
    fresh = agent_client.get(url, {"version": first["version"]}).json()
    assert fresh["changed"] is True
    assert "a new customer message" in fresh["timeline"]
    assert "AI active" in fresh["state"]


def test_customer_text_and_tag_names_are_escaped(agent_client, chat_session, organization):
    factories.make_message(chat_session, text="<script>alert('x')</script>")
    tag = factories.make_tabulation(organization, name="<b>bold</b>")
    chat_session.session_tabulations.create(tabulation=tag)
    body = page(agent_client, chat_session)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body
    poll = reverse("admin:sessions_app_chatsession_poll", args=[chat_session.pk])
    assert "<script>alert" not in agent_client.get(poll).json()["timeline"]


def test_the_block_reason_shows_only_while_the_ai_is_blocked(agent_client, chat_session):
    from datetime import timedelta

    chat_session.ai_blocked_until = timezone.now() + timedelta(minutes=5)
    chat_session.ai_block_reason = "customer asked for a human"
    chat_session.save()
    assert "customer asked for a human" in page(agent_client, chat_session)
    chat_session.status = "CLOSED"
    chat_session.save()
    assert "customer asked for a human" not in page(agent_client, chat_session)


def test_the_sidebar_shows_the_business_hours_when_they_are_set(
    agent_client, chat_session, organization
):
    from datetime import timedelta

    from accounts.services import business_hours_put

    assert 'id="atd-hours"' not in page(agent_client, chat_session)
    weekday = (timezone.now().date() + timedelta(days=2)).weekday()
    business_hours_put(
        organization=organization,
        timezone="UTC",
        weekly=[{"weekday": weekday, "open": "10:00", "close": "11:00"}],
        holidays=[],
        enabled=True,
    )
    html = page(agent_client, chat_session)
    assert 'id="atd-hours">closed · opens ' in html
    business_hours_put(
        organization=organization,
        timezone="UTC",
        weekly=[{"weekday": d, "open": "00:00", "close": "24:00"} for d in range(7)],
        holidays=[],
        enabled=True,
    )
    assert 'id="atd-hours">open now<' in page(agent_client, chat_session)
