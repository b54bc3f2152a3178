"""GET /sessions/by-contact/{contactId} against a fixed falecomigo document."""

import uuid
from datetime import UTC, datetime

from accounts.models import Department
from contacts.models import Contact, ContactTabulation, Tabulation
from messaging.models import Author, Direction, Message, MessageKind
from sessions_app.models import ChatSession, SessionStatus, SessionTabulation
from tests.support import factories
from tests.support.api import assert_error

CONTACT = uuid.UUID("11111111-1111-4111-8111-111111111111")
TAG = uuid.UUID("22222222-2222-4222-8222-222222222222")
LINK = uuid.UUID("33333333-3333-4333-8333-333333333333")
INSTANCE = uuid.UUID("44444444-4444-4444-8444-444444444444")
OLD = uuid.UUID("55555555-5555-4555-8555-555555555555")
NEW = uuid.UUID("66666666-6666-4666-8666-666666666666")
DEPT = uuid.UUID("77777777-7777-4777-8777-777777777777")
M1 = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000001")
M2 = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000002")
M3 = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000003")


def at(minute: int) -> datetime:
    return datetime(2026, 1, 5, 12, minute, tzinfo=UTC)


def build(organization):
    instance = factories.make_instance(organization, name="Loja", provider="evolution", id=INSTANCE)
    department = Department.objects.create(id=DEPT, organization=organization, name="Vendas")
    contact = factories.make_contact(
        organization,
        phone="5511987654321",
        id=CONTACT,
        name="Maria",
        email="maria@example.com",
        external_id="crm-1",
        source_instance=instance,
    )
    tag = factories.make_tabulation(
        organization, id=TAG, name="Lead", background_color="#ff9900", description="quote"
    )
    ContactTabulation.objects.create(id=LINK, contact=contact, tabulation=tag)
    old = factories.make_session(
        contact=contact,
        instance=instance,
        id=OLD,
        status=SessionStatus.CLOSED,
        end_reason="Resolvido",
        closed_at=at(10),
        last_message_at=at(2),
    )
    new = factories.make_session(
        contact=contact,
        instance=instance,
        id=NEW,
        status=SessionStatus.ACTIVE,
        external_id="ext-9",
        assigned_department=department,
        last_message_at=at(31),
    )
    SessionTabulation.objects.create(session=new, tabulation=tag)
    factories.make_message(old, id=M1, text="Oi")
    factories.make_message(
        old,
        id=M2,
        text="Olá! Em que posso ajudar?",
        direction=Direction.OUTBOUND,
        author=Author.AI,
        delivery_status="READ",
    )
    factories.make_message(
        new,
        id=M3,
        text="",
        kind=MessageKind.VOICE,
        media_mimetype="audio/ogg; codecs=opus",
        media_duration=4.0,
        media_ref={"url": "https://cdn.example.com/v.ogg"},
        transcription="quero meu boleto",
        transcription_status="DONE",
        external_id="",
    )
    # Fixed clocks, so the document below is exact.
    Contact.objects.filter(pk=CONTACT).update(created_at=at(0), updated_at=at(0))
    Tabulation.objects.filter(pk=TAG).update(created_at=at(0), updated_at=at(0))
    ContactTabulation.objects.filter(pk=LINK).update(created_at=at(1), updated_at=at(1))
    ChatSession.objects.filter(pk=OLD).update(created_at=at(1), started_at=at(1), updated_at=at(10))
    ChatSession.objects.filter(pk=NEW).update(
        created_at=at(30), started_at=at(30), updated_at=at(31)
    )
    for pk, minute in ((M1, 1), (M2, 2), (M3, 31)):
        Message.objects.filter(pk=pk).update(created_at=at(minute), updated_at=at(minute))
    return contact


def message(pk, session, **fields):
    base = {
        "id": str(pk),
        "sessionId": str(session),
        "contactId": str(CONTACT),
        "instanceId": str(INSTANCE),
        "type": "TEXT",
        "kind": "text",
        "direction": "IN",
        "author": "CUSTOMER",
        "content": {"text": ""},
        "status": "PENDING",
        "error": "",
        "errorCode": None,
        "errorTitle": None,
        "reply": None,
        "transcription": "",
        "transcriptionStatus": None,
        "externalId": "",
        "providerMessageId": None,
        "sendExternalMessage": True,
        "payload": {},
        "sentAt": None,
        "deliveredAt": None,
        "readAt": None,
        "edited": False,
        "editedAt": None,
        "deleted": False,
        "deletedAt": None,
        "deletedBy": None,
    }
    return {**base, **fields}


MSG1 = message(
    M1,
    OLD,
    content={"text": "Oi"},
    createdAt="2026-01-05T12:01:00Z",
    updatedAt="2026-01-05T12:01:00Z",
)
MSG2 = message(
    M2,
    OLD,
    direction="OUT",
    author="AI",
    status="READ",
    content={"text": "Olá! Em que posso ajudar?"},
    createdAt="2026-01-05T12:02:00Z",
    updatedAt="2026-01-05T12:02:00Z",
)
MSG3 = message(
    M3,
    NEW,
    type="RECORDING",
    kind="voice",
    content={
        "media": {
            "url": "https://cdn.example.com/v.ogg",
            "name": None,
            "type": "audio",
            "duration": 4.0,
            "mimeType": "audio/ogg; codecs=opus",
            "extension": "ogg",
        }
    },
    transcription="quero meu boleto",
    transcriptionStatus="DONE",
    createdAt="2026-01-05T12:31:00Z",
    updatedAt="2026-01-05T12:31:00Z",
)
TAG_BRIEF = {"id": str(TAG), "name": "Lead", "backgroundColor": "#ff9900"}
INTEGRATION = {"id": str(INSTANCE), "name": "Loja", "provider": {"slug": "evolution"}}


def session(pk, **fields):
    base = {
        "id": str(pk),
        "contactId": str(CONTACT),
        "instanceId": str(INSTANCE),
        "startedBy": "CUSTOMER",
        "statusReason": "",
        "endReason": "",
        "externalId": "",
        "assignedDepartmentId": None,
        "assignedAgentId": None,
        "assignedCustomerId": "",
        "assignedDepartment": None,
        "assignedAgent": None,
        "concatTimeout": 8,
        "aiBlocked": False,
        "aiBlockedUntil": None,
        "aiBlockReason": "",
        "aiBlockedBy": "",
        "businessHours": {"open": True, "nextOpenAt": None},
        "pausedUntil": None,
        "pausedBy": "",
        "lastCustomerMessageAt": None,
        "whatsappWindowExpiresAt": None,
        "contact": {"id": str(CONTACT), "name": "Maria", "phone": "5511987654321"},
        "instance": {"id": str(INSTANCE), "name": "Loja", "provider": "evolution"},
        "tabulations": [],
        "csat": None,
        "closedAt": None,
        "integrationId": str(INSTANCE),
        "integration": INTEGRATION,
    }
    return {**base, **fields}


EXPECTED = {
    "contact": {
        "id": str(CONTACT),
        "name": "Maria",
        "phone": "5511987654321",
        "email": "maria@example.com",
        "externalId": "crm-1",
        "bypassBots": False,
        "source": str(INSTANCE),
        "profilePictureUrl": "",
        "tabulations": [TAG_BRIEF],
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:00Z",
        "organizationId": "ORG",
        "ContactTabulation": [
            {
                "id": str(LINK),
                "contactId": str(CONTACT),
                "tabulationId": str(TAG),
                "createdAt": "2026-01-05T12:01:00Z",
                "updatedAt": "2026-01-05T12:01:00Z",
                "tabulation": {
                    "id": str(TAG),
                    "name": "Lead",
                    "backgroundColor": "#ff9900",
                    "description": "quote",
                    "autoTabulation": False,
                },
            }
        ],
    },
    "sessions": [
        session(
            NEW,
            status="ACTIVE",
            externalId="ext-9",
            assignedDepartmentId=str(DEPT),
            assignedDepartment={"id": str(DEPT), "name": "Vendas"},
            tabulations=[TAG_BRIEF],
            startedAt="2026-01-05T12:30:00Z",
            lastMessageAt="2026-01-05T12:31:00Z",
            createdAt="2026-01-05T12:30:00Z",
            updatedAt="2026-01-05T12:31:00Z",
            messages=[MSG3],
        ),
        session(
            OLD,
            status="CLOSED",
            endReason="Resolvido",
            closedAt="2026-01-05T12:10:00Z",
            startedAt="2026-01-05T12:01:00Z",
            lastMessageAt="2026-01-05T12:02:00Z",
            createdAt="2026-01-05T12:01:00Z",
            updatedAt="2026-01-05T12:10:00Z",
            messages=[MSG2, MSG1],
        ),
    ],
    "allMessages": [MSG3, MSG2],
    "isLastSessionClosed": False,
    "lastSessionId": str(NEW),
    "lastSessionStatus": "ACTIVE",
    "lastSessionAssignedDepartment": {"id": str(DEPT), "name": "Vendas"},
    "pagination": {
        "total_data": 3,
        "total_pages": 2,
        "page": 1,
        "limit": 2,
        "has_next_page": True,
        "has_previous_page": False,
    },
}


def test_by_contact_is_the_falecomigo_document(api_client, organization):
    build(organization)
    response = api_client.get(f"/api/v1/sessions/by-contact/{CONTACT}", {"limit": 2})
    assert response.status_code == 200
    expected = {
        **EXPECTED,
        "contact": {**EXPECTED["contact"], "organizationId": str(organization.id)},
    }
    assert response.json() == expected


def test_by_contact_second_page(api_client, organization):
    build(organization)
    body = api_client.get(f"/api/v1/sessions/by-contact/{CONTACT}?page=2&limit=2").json()
    assert body["allMessages"] == [MSG1]
    assert body["pagination"] == {
        "total_data": 3,
        "total_pages": 2,
        "page": 2,
        "limit": 2,
        "has_next_page": False,
        "has_previous_page": True,
    }


def test_a_contact_without_sessions(api_client, contact):
    body = api_client.get(f"/api/v1/sessions/by-contact/{contact.id}").json()
    assert body["sessions"] == []
    assert body["allMessages"] == []
    assert (body["isLastSessionClosed"], body["lastSessionId"], body["lastSessionStatus"]) == (
        False,
        None,
        None,
    )


def test_unknown_contact_is_404(api_client):
    assert_error(api_client.get(f"/api/v1/sessions/by-contact/{uuid.uuid4()}"), 404, "not_found")
    assert_error(api_client.get("/api/v1/sessions/by-contact/not-a-uuid"), 404)
