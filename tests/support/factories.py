"""Plain factory functions for models: explicit, keyword-only, few defaults."""

import itertools

from accounts.models import Organization
from accounts.services import agent_create, api_key_create
from contacts.models import Contact, Tabulation
from messaging.models import Author, Direction, Message, MessageKind
from providers.models import Instance, Provider
from sessions_app.models import ChatSession, SessionStatus

_counter = itertools.count(1)


def make_organization(name: str | None = None, **fields) -> Organization:
    return Organization.objects.create(name=name or f"Org {next(_counter)}", **fields)


def make_api_key(organization: Organization, name: str = "test") -> str:
    _, raw_key = api_key_create(organization=organization, name=name)
    return raw_key


def make_instance(
    organization: Organization, provider: str = Provider.SANDBOX, **fields
) -> Instance:
    fields.setdefault("name", f"instance-{next(_counter)}")
    return Instance.objects.create(organization=organization, provider=provider, **fields)


def make_contact(organization: Organization, phone: str | None = None, **fields) -> Contact:
    if phone is None:
        phone = f"55119{next(_counter):08d}"
    return Contact.objects.create(organization=organization, phone=phone, **fields)


def make_session(
    *,
    contact: Contact,
    instance: Instance,
    status: str = SessionStatus.QUEUED,
    **fields,
) -> ChatSession:
    return ChatSession.objects.create(
        organization=contact.organization,
        contact=contact,
        instance=instance,
        status=status,
        concat_timeout=fields.pop("concat_timeout", instance.concat_timeout),
        **fields,
    )


def make_message(
    session: ChatSession,
    *,
    text: str = "oi",
    direction: str = Direction.INBOUND,
    author: str = Author.CUSTOMER,
    kind: str = MessageKind.TEXT,
    **fields,
) -> Message:
    return Message.objects.create(
        organization=session.organization,
        session=session,
        contact=session.contact,
        instance=session.instance,
        direction=direction,
        author=author,
        kind=kind,
        text=text,
        **fields,
    )


def make_tabulation(organization: Organization, name: str | None = None, **fields) -> Tabulation:
    return Tabulation.objects.create(
        organization=organization, name=name or f"tag-{next(_counter)}", **fields
    )


def make_agent(
    organization: Organization,
    username: str | None = None,
    password: str = "pw-123456",
    departments=None,
):
    return agent_create(
        organization=organization,
        username=username or f"agent{next(_counter)}",
        password=password,
        department_names=departments or [],
    )
