"""An agent made with `manage.py create_agent` can work the console at once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Department
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_a_created_agent_logs_in_and_sees_their_departments_conversations(organization, instance):
    call_command(
        "create_agent",
        str(organization.pk),
        "carla",
        "--password",
        "s3cret-pass",
        "--department",
        "Vendas",
        stdout=StringIO(),
    )
    sales = Department.objects.get(organization=organization, name="Vendas")
    visible = factories.make_session(
        contact=factories.make_contact(organization, name="In Sales"),
        instance=instance,
        assigned_department=sales,
    )
    support = Department.objects.create(organization=organization, name="Suporte")
    hidden = factories.make_session(
        contact=factories.make_contact(organization, name="In Support"),
        instance=instance,
        assigned_department=support,
    )
    client = Client()
    # The sign-in page itself: the password check runs behind django-axes.
    signed_in = client.post(
        reverse("admin:login"), {"username": "carla", "password": "s3cret-pass"}
    )
    assert signed_in.status_code == 302
    assert 'data-card="queued"' in client.get(reverse("admin:index")).content.decode()
    listed = client.get(reverse("admin:sessions_app_chatsession_changelist"))
    assert [s.pk for s in listed.context["cl"].result_list] == [visible.pk]
    conversation = "admin:sessions_app_chatsession_conversation"
    assert client.get(reverse(conversation, args=[visible.pk])).status_code == 200
    assert client.get(reverse(conversation, args=[hidden.pk])).status_code == 404
    take_over = reverse("admin:sessions_app_chatsession_action", args=[visible.pk, "take-over"])
    client.post(take_over, {"minutes": "15"})
    visible.refresh_from_db()
    assert visible.ai_blocked_by == "agent:carla"
