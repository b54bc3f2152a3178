"""An agent of organization A sees nothing of organization B, on every admin page."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Agent, Organization

pytestmark = pytest.mark.django_db


def objects_of(world) -> dict:
    """model -> one object of that world, for every model the admin registers."""
    found = {type(obj): obj for obj in world.values() if hasattr(obj, "_meta")}
    found[Organization] = world["organization"]
    found[Agent] = world["agent"]
    return found


def test_every_registered_model_has_an_object_in_the_world(other_world):
    # Superuser-only: sign-in attempts (axes, tests/accounts/test_login_lockout.py)
    # and authenticator devices (otp_totp, tests/accounts/test_two_factor.py).
    registered = {
        model
        for model in admin.site._registry
        if model._meta.app_label not in ("auth", "axes", "otp_totp")
    }
    covered = set(objects_of(other_world))
    missing = {
        m._meta.label
        for m in registered - covered
        if m._meta.label
        not in (
            "django_celery_beat.PeriodicTask",
            "core.Heartbeat",
            "transcription.TranscriptionCache",
            # Superuser-only (agents get 403): test_webhook_inbox_admin.py,
            # test_business_hours_admin.py.
            "messaging.WebhookInbox",
            "accounts.BusinessHours",
        )
        and m._meta.app_label != "django_celery_beat"
    }
    assert missing == set()


def test_an_agent_gets_404_for_every_change_page_of_another_organization(
    agent_client, world, other_world
):
    for model, obj in objects_of(other_world).items():
        if model not in admin.site._registry:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        for view in ("change", "delete", "history"):
            url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])
            response = agent_client.get(url)
            assert response.status_code == 404, (url, response.status_code)


def test_an_agent_never_sees_another_organizations_rows_in_any_list(
    agent_client, world, other_world
):
    for model, obj in objects_of(other_world).items():
        if model not in admin.site._registry:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = agent_client.get(url)
        assert response.status_code in (200, 403), url
        body = response.content.decode()
        assert str(obj.pk) not in body, url
        assert "Other" not in body, url


def test_an_agent_sees_their_own_organizations_rows(agent_client, world):
    for key in ("session", "contact", "instance", "delivery", "tag"):
        obj = world[key]
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist")
        assert str(obj.pk) in agent_client.get(url).content.decode(), url


def test_the_conversation_poll_media_and_actions_of_another_organization_are_404(
    agent_client, world, other_world
):
    session = other_world["session"]
    urls_get = [
        reverse("admin:sessions_app_chatsession_conversation", args=[session.pk]),
        reverse("admin:sessions_app_chatsession_poll", args=[session.pk]),
        reverse("admin:messaging_message_media", args=[other_world["media"].pk]),
    ]
    for url in urls_get:
        assert agent_client.get(url).status_code == 404, url
    actions = [
        "take-over",
        "give-back",
        "accept",
        "pause",
        "resume",
        "close",
        "reopen",
        "assign",
        "tag-add",
        "tag-remove",
        "bypass",
    ]
    posts = [
        reverse("admin:sessions_app_chatsession_action", args=[session.pk, action])
        for action in actions
    ]
    posts += [
        reverse("admin:sessions_app_chatsession_reply", args=[session.pk]),
        reverse("admin:providers_instance_check_now", args=[other_world["instance"].pk]),
        reverse("admin:integrations_delivery_redeliver", args=[other_world["delivery"].pk]),
        reverse("admin:providers_instance_connect", args=[other_world["instance"].pk]),
    ]
    for url in posts:
        response = agent_client.post(
            url, {"text": "hi", "minutes": "5", "end_reason": "x", "target": "me"}
        )
        assert response.status_code == 404, url
    session.refresh_from_db()
    assert session.status == "QUEUED"
    assert session.ai_blocked_until is None
    assert session.messages.count() == 3


def test_an_agent_cannot_assign_or_tag_with_another_organizations_rows(
    agent_client, world, other_world
):
    session = world["session"]
    url = reverse("admin:sessions_app_chatsession_action", args=[session.pk, "assign"])
    response = agent_client.post(url, {"target": f"agent:{other_world['agent'].pk}"}, follow=True)
    assert "Unknown agent." in response.content.decode()
    url = reverse("admin:sessions_app_chatsession_action", args=[session.pk, "tag-add"])
    response = agent_client.post(url, {"tabulation": str(other_world["tag"].pk)}, follow=True)
    assert "Unknown tag." in response.content.decode()
    session.refresh_from_db()
    assert session.assigned_agent is None
    assert list(session.tabulations.values_list("name", flat=True)) == ["Acme vip"]


def test_the_dashboard_counts_only_the_agents_organization(agent_client, world, other_world):
    body = agent_client.get(reverse("admin:index")).content.decode()
    assert 'data-card="queued"' in body
    # One queued session in each organization; the agent counts theirs only.
    counts = dict(re.findall(r'data-card="(\w+)">\s*<span class="atd-count">(\d+)</span>', body))
    assert counts == {
        "queued": "1",
        "active": "0",
        "paused": "0",
        "ai_blocked": "0",
        "failed_deliveries": "1",
        "disconnected_instances": "0",
    }


def test_staff_without_a_membership_see_nothing(db, world):
    from django.contrib.auth import get_user_model

    from tests.support.console import login

    user = get_user_model().objects.create_user("stranger", password="pw-123456", is_staff=True)
    client = login(user)
    body = client.get(reverse("admin:index")).content.decode()
    assert "atd-dashboard" not in body
    session = world["session"]
    url = reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
    assert client.get(url).status_code == 404
    url = reverse("admin:messaging_message_media", args=[world["media"].pk])
    assert client.get(url).status_code == 404


def test_a_superuser_sees_every_organization(superuser_client, world, other_world):
    body = superuser_client.get(reverse("admin:sessions_app_chatsession_changelist")).content
    assert b"Acme Customer" in body and b"Other Customer" in body


def test_sensitive_fields_never_appear(superuser_client, world):
    instance = world["instance"]
    instance.credentials = {"apiKey": "gateway-credential-xyz"}
    instance.app_secret = "meta-app-secret-xyz"
    instance.save()
    pages = [
        reverse("admin:providers_instance_change", args=[instance.pk]),
        reverse("admin:providers_instance_changelist"),
        reverse("admin:integrations_integration_change", args=[world["integration"].pk]),
        reverse("admin:integrations_integration_changelist"),
        reverse("admin:accounts_apikey_change", args=[world["api_key"].pk]),
        reverse("admin:accounts_apikey_changelist"),
    ]
    for url in pages:
        body = superuser_client.get(url).content.decode()
        assert "gateway-credential-xyz" not in body, url
        assert "meta-app-secret-xyz" not in body, url
        assert world["integration"].secret not in body, url
        assert world["api_key"].hashed_key not in body, url
        assert world["api_key_raw"] not in body, url
