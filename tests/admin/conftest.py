import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from accounts.models import Department
from assistant.models import Assistant, AssistantRun
from integrations.models import Delivery, DeliveryAttempt, Integration
from messaging.models import Author, Direction, DispatchStatus, MessageKind, Turn, TurnStatus
from providers.models import SandboxOutboxMessage
from sessions_app.services import session_event_record
from tests.support import factories

# A 1x1 transparent PNG.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def login(agent_or_user, language: str = "en") -> Client:
    """A logged-in console client. These tests read the console in English
    (the agent's language switch, as a cookie); test_language.py reads it in
    Portuguese, the default."""
    user = getattr(agent_or_user, "user", agent_or_user)
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def client(client) -> Client:
    """pytest-django's client, reading the console in English like login()."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def agent(organization):
    return factories.make_agent(organization, username="ana")


@pytest.fixture
def agent_client(agent) -> Client:
    return login(agent)


@pytest.fixture
def superuser_client(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    return login(user)


def make_media_message(
    session,
    *,
    kind=MessageKind.IMAGE,
    data=PNG_BYTES,
    name="photo.png",
    mimetype="image/png",
    **fields,
):
    message = factories.make_message(
        session,
        text=fields.pop("text", ""),
        kind=kind,
        media_mimetype=mimetype,
        media_filename=name,
        media_size=len(data),
        **fields,
    )
    message.media_file.save(name, ContentFile(data), save=True)
    return message


def make_world(organization, *, prefix: str) -> dict:
    """One of everything an admin page can show, in ``organization``."""
    department = Department.objects.create(organization=organization, name=f"{prefix} Sales")
    other_agent = factories.make_agent(organization, username=f"{prefix.lower()}-agent")
    instance = factories.make_instance(organization, name=f"{prefix} number")
    contact = factories.make_contact(organization, name=f"{prefix} Customer")
    session = factories.make_session(
        contact=contact,
        instance=instance,
        assigned_department=department,
        last_message_at=timezone.now(),
    )
    tag = factories.make_tabulation(organization, name=f"{prefix} vip")
    session.session_tabulations.create(tabulation=tag)
    turn = Turn.objects.create(
        organization=organization,
        session=session,
        status=TurnStatus.CLOSED,
        first_message_at=timezone.now(),
        last_message_at=timezone.now(),
        messages_count=1,
        text=f"{prefix} secret words",
        dispatch_status=DispatchStatus.DISPATCHED,
    )
    message = factories.make_message(session, text=f"{prefix} secret words", turn=turn)
    media = make_media_message(session)
    reply = factories.make_message(
        session, text=f"{prefix} reply", direction=Direction.OUTBOUND, author=Author.AGENT
    )
    event = session_event_record(session=session, code="note", text=f"{prefix} event line")
    integration = Integration.objects.create(
        organization=organization,
        name=f"{prefix} bot",
        url="https://bot.example.com/hook",
        events=["turn.ready"],
    )
    delivery = Delivery.objects.create(
        organization=organization,
        integration=integration,
        event="turn.ready",
        dedupe_key=str(turn.pk),
        payload={"text": "x"},
        turn=turn,
        status="FAILED",
    )
    attempt = DeliveryAttempt.objects.create(delivery=delivery, number=1, error="boom")
    outbox = SandboxOutboxMessage.objects.create(
        instance=instance,
        to=contact.phone,
        kind="text",
        text=f"{prefix} outbox",
        provider_message_id=f"SANDBOX-{prefix}",
    )
    api_key_raw = factories.make_api_key(organization, name=f"{prefix} key")
    assistant = Assistant.objects.create(organization=organization, name=f"{prefix} assistant")
    run = AssistantRun.objects.create(
        organization=organization,
        assistant=assistant,
        session=session,
        turn=turn,
        model=f"{prefix.lower()}-model",
        started_at=timezone.now(),
    )
    return {
        "assistant": assistant,
        "assistant_run": run,
        "organization": organization,
        "department": department,
        "agent": other_agent,
        "instance": instance,
        "contact": contact,
        "session": session,
        "tag": tag,
        "turn": turn,
        "message": message,
        "media": media,
        "reply": reply,
        "event": event,
        "integration": integration,
        "delivery": delivery,
        "attempt": attempt,
        "outbox": outbox,
        "api_key": organization.api_keys.get(),
        "api_key_raw": api_key_raw,
        "contact_wa_id": contact.whatsapp_ids.create(
            organization=organization, wa_id=f"{contact.phone}@s.whatsapp.net"
        ),
    }


@pytest.fixture
def other_world(other_organization):
    return make_world(other_organization, prefix="Other")


@pytest.fixture
def world(organization):
    return make_world(organization, prefix="Acme")
