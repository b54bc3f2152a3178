"""Another organization's key gets 404 from every object endpoint, and changes nothing.

The endpoints are discovered from the URL configuration, so a new object
endpoint (instances included) is covered the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import BusinessHours, Department
from assistant.models import DocumentStatus, KnowledgeDocument
from assistant.services import assistant_create
from canned.models import CannedResponse
from integrations.models import Delivery, Integration
from privacy.models import Export
from tests.support import factories
from tests.support.api import assert_error

# The path segment before an id names the kind of object it is.
SEGMENT_KIND = {
    "contacts": "contact",
    "by-contact": "contact",
    "by-phone": "contact",
    "sessions": "session",
    "tabulations": "tabulation",
    "departments": "department",
    "messages": "message",
    "integrations": "integration",
    "deliveries": "delivery",
    "instances": "instance",
    "assistants": "assistant",
    "documents": "document",
    "canned-responses": "canned",
    "agents": "agent",
    "exports": "export",
}
BODIES = {
    "post": {
        "tabulationIds": ["00000000-0000-4000-8000-000000000000"],
        "durationMinutes": 10,
        "endReason": "x",
        "departmentId": None,
        "reason": "x",
    },
    "patch": {"name": "Hijacked", "status": "ACTIVE", "availability": "online"},
    "delete": {"tabulationIds": ["00000000-0000-4000-8000-000000000000"]},
    "put": {"name": "Hijacked", "enabled": True, "weekly": []},
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def object_endpoints():
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or route.startswith("api/v1/webhooks/"):
            continue
        if "<" not in route:
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is None:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view_class, method):
                found.append(pytest.param(route, method, id=f"{method.upper()} {route}"))
    return found


def test_discovery_finds_the_object_endpoints():
    routes = {p.values[0] for p in object_endpoints()}
    assert "api/v1/sessions/<uuid:session_id>/block-ai" in routes
    assert "api/v1/deliveries/<uuid:delivery_id>/redeliver" in routes
    assert len(object_endpoints()) >= 29


@pytest.fixture
def theirs(organization, instance, contact, chat_session):
    """One object of every kind, all belonging to ``organization``."""
    tabulation = factories.make_tabulation(organization, name="Theirs")
    integration = Integration.objects.create(
        organization=organization, name="Hook", url="http://127.0.0.1:9/", events=["turn.ready"]
    )
    assistant = assistant_create(organization=organization, name="Theirs")
    return {
        "assistant": assistant,
        "document": KnowledgeDocument.objects.create(
            organization=organization,
            assistant=assistant,
            title="Theirs",
            status=DocumentStatus.READY,
        ),
        "contact": contact,
        "session": chat_session,
        "instance": instance,
        "tabulation": tabulation,
        "department": Department.objects.create(organization=organization, name="Theirs"),
        "canned": CannedResponse.objects.create(
            organization=organization, short_code="theirs", content="Theirs"
        ),
        "message": factories.make_message(chat_session),
        "agent": factories.make_agent(organization, username="theirs"),
        "integration": integration,
        "export": Export.objects.create(
            organization=organization, contact=contact, requested_by="api:theirs"
        ),
        "delivery": Delivery.objects.create(
            organization=organization,
            integration=integration,
            event="turn.ready",
            dedupe_key="d",
            payload={},
        ),
    }


def _fill(route: str, objects: dict) -> str:
    segments = route.split("/")
    out = []
    for i, segment in enumerate(segments):
        match = re.fullmatch(r"<(?:\w+:)?(\w+)>", segment)
        if match is None:
            out.append(segment)
            continue
        kind = SEGMENT_KIND.get(segments[i - 1])
        assert kind is not None, f"unknown object kind in {route}: add it to SEGMENT_KIND"
        obj = objects[kind]
        out.append(obj.phone if match.group(1) == "phone" else str(obj.pk))
    return "/" + "/".join(out)


@pytest.mark.parametrize("route, method", object_endpoints())
def test_another_organizations_key_gets_404(other_api_client, theirs, route, method):
    url = _fill(route, theirs)
    call = getattr(other_api_client, method)
    response = call(url, BODIES[method], format="json") if method in BODIES else call(url)
    assert_error(response, 404)
    # Nothing changed hands: every object is still there, as it was.
    for obj in theirs.values():
        fresh = type(obj).objects.get(pk=obj.pk)
        if hasattr(obj, "name"):
            assert fresh.name == obj.name
        if hasattr(obj, "status"):
            assert fresh.status == obj.status
        if hasattr(obj, "availability"):
            assert fresh.availability == obj.availability
    assert not BusinessHours.objects.exists()
