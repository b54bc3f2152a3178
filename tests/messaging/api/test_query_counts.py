"""Lists and by-contact cost the same number of queries for 1 row and for 200."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Department
from contacts.models import Contact, ContactTabulation, Tabulation
from integrations.models import Delivery, DeliveryAttempt, Integration
from messaging.models import Direction, Message
from providers.models import Instance
from sessions_app.models import ChatSession, SessionStatus, SessionTabulation
from tests.support import factories


def seed(organization, instance, n: int) -> dict:
    """n of everything, with every relation the serializers read filled in."""
    tag = factories.make_tabulation(organization, name=f"tag-{n}")
    department = Department.objects.create(organization=organization, name=f"dept-{n}")
    agent = factories.make_agent(organization)
    contacts = Contact.objects.bulk_create(
        [
            Contact(organization=organization, phone=f"55119{n:03d}{i:05d}", name=f"c{i}")
            for i in range(n)
        ]
    )
    ContactTabulation.objects.bulk_create(
        [ContactTabulation(contact=c, tabulation=tag) for c in contacts]
    )
    sessions = ChatSession.objects.bulk_create(
        [
            ChatSession(
                organization=organization,
                contact=c,
                instance=instance,
                status=SessionStatus.ACTIVE,
                assigned_department=department,
                assigned_agent=agent,
            )
            for c in contacts
        ]
    )
    SessionTabulation.objects.bulk_create(
        [SessionTabulation(session=s, tabulation=tag) for s in sessions]
    )
    Message.objects.bulk_create(
        [
            Message(
                organization=organization,
                session=s,
                contact_id=s.contact_id,
                instance=instance,
                direction=Direction.INBOUND,
                author="CUSTOMER",
                text="oi",
            )
            for s in sessions
        ]
    )
    integration = Integration.objects.create(
        organization=organization, name=f"hook-{n}", url="http://127.0.0.1:9/", events=[]
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                organization=organization,
                integration=integration,
                event="turn.ready",
                dedupe_key=str(i),
                payload={},
            )
            for i in range(n)
        ]
    )
    DeliveryAttempt.objects.bulk_create(
        [DeliveryAttempt(delivery=d, number=1, status_code=200) for d in deliveries]
    )
    Tabulation.objects.bulk_create(
        [Tabulation(organization=organization, name=f"extra-{n}-{i}") for i in range(n - 1)]
    )
    Department.objects.bulk_create(
        [Department(organization=organization, name=f"extra-{n}-{i}") for i in range(n - 1)]
    )
    Integration.objects.bulk_create(
        [
            Integration(organization=organization, name=f"x{i}", url="http://127.0.0.1:9/")
            for i in range(n - 1)
        ]
    )
    return {"session": sessions[0], "integration": integration}


def by_contact_seed(organization, n: int):
    contact = factories.make_contact(organization, name="Maria")
    tag = factories.make_tabulation(organization, name=f"bc-{n}")
    ContactTabulation.objects.create(contact=contact, tabulation=tag)
    department = Department.objects.create(organization=organization, name=f"bc-{n}")
    instances = Instance.objects.bulk_create(
        [
            Instance(organization=organization, name=f"bc-{n}-{i}", provider="sandbox")
            for i in range(n)
        ]
    )
    sessions = ChatSession.objects.bulk_create(
        [
            ChatSession(
                organization=organization,
                contact=contact,
                instance=instance,
                status=SessionStatus.CLOSED,
                assigned_department=department,
            )
            for instance in instances
        ]
    )
    SessionTabulation.objects.bulk_create(
        [SessionTabulation(session=s, tabulation=tag) for s in sessions]
    )
    Message.objects.bulk_create(
        [
            Message(
                organization=organization,
                session=s,
                contact=contact,
                instance_id=s.instance_id,
                direction=Direction.INBOUND,
                author="CUSTOMER",
                text=f"m{j}",
            )
            for s in sessions
            for j in range(2)
        ]
    )
    return contact


LIST_URLS = [
    "/api/v1/sessions?limit=100",
    "/api/v1/sessions?limit=100&tabulationId={tag}&search=c",
    "/api/v1/messages?limit=100",
    "/api/v1/sessions/{session}/messages",
    "/api/v1/contacts?limit=100",
    "/api/v1/tabulations?limit=100",
    "/api/v1/departments?limit=100",
    "/api/v1/integrations?limit=100",
    "/api/v1/integrations/{integration}/deliveries?limit=100",
]


def count_queries(client, url) -> int:
    client.get("/api/v1/organization")  # the key's last-used stamp is written once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def test_lists_cost_the_same_for_1_and_200_rows(
    organization, other_organization, instance, django_assert_num_queries
):
    from tests.conftest import _client_for

    small_org, big_org = organization, other_organization
    small = seed(small_org, instance, 1)
    big = seed(big_org, factories.make_instance(big_org), 200)
    small_client, big_client = _client_for(small_org), _client_for(big_org)
    big_client.get("/api/v1/organization")  # the key's last-used stamp is written once

    def url(template, seeded, org):
        tag = Tabulation.objects.filter(organization=org, name__startswith="tag-").first()
        return template.format(
            session=seeded["session"].id, integration=seeded["integration"].id, tag=tag.id
        )

    for template in LIST_URLS:
        expected = count_queries(small_client, url(template, small, small_org))
        big_url = url(template, big, big_org)
        with django_assert_num_queries(expected, info=template):
            response = big_client.get(big_url)
        assert len(response.json()["data"]) >= 1, template


def test_by_contact_costs_the_same_for_1_and_200_sessions(
    organization, other_organization, django_assert_num_queries
):
    from tests.conftest import _client_for

    one = by_contact_seed(organization, 1)
    many = by_contact_seed(other_organization, 200)
    expected = count_queries(
        _client_for(organization), f"/api/v1/sessions/by-contact/{one.id}?limit=100"
    )
    client = _client_for(other_organization)
    client.get("/api/v1/organization")
    with django_assert_num_queries(expected):
        response = client.get(f"/api/v1/sessions/by-contact/{many.id}?limit=100")
    body = response.json()
    assert len(body["sessions"]) == 200
    assert all(len(s["messages"]) == 2 for s in body["sessions"])
    assert len(body["allMessages"]) == 100
    assert body["pagination"]["total_data"] == 400
