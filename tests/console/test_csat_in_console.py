"""The satisfaction ratings in the console: on the session, filtered in the
list, and the last 30 days' average on the dashboard."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.services.csat import session_csat_record
from tests.support import factories
from tests.support.console import login

pytestmark = pytest.mark.django_db


def rated(organization, instance, rating, *, days_ago=1, comment=""):
    return factories.make_session(
        contact=factories.make_contact(organization),
        instance=instance,
        status="CLOSED",
        csat_rating=rating,
        csat_comment=comment,
        csat_asked_at=timezone.now() - timedelta(days=days_ago, hours=1),
        csat_answered_at=timezone.now() - timedelta(days=days_ago),
    )


def csat_card(client) -> tuple[str, str]:
    body = client.get(reverse("admin:index")).content.decode()
    match = re.search(
        r'data-card="csat">\s*<span class="atd-count">([^<]*)</span>\s*'
        r'<span class="atd-label">([^<]*)</span>',
        body,
    )
    return match.group(1), match.group(2)


def test_the_dashboard_averages_the_last_30_days(
    agent_client, organization, instance, other_organization
):
    assert csat_card(agent_client) == ("—", "Satisfaction, last 30 days (0 answers)")
    rated(organization, instance, 5)
    rated(organization, instance, 4, days_ago=29)
    rated(organization, instance, 1, days_ago=31)
    other_instance = factories.make_instance(other_organization)
    rated(other_organization, other_instance, 1)
    assert csat_card(agent_client) == ("4.5", "Satisfaction, last 30 days (2 answers)")


def test_the_conversation_shows_the_survey_and_the_rating(agent, organization, instance):
    session = factories.make_session(
        contact=factories.make_contact(organization),
        instance=instance,
        status="CLOSED",
        csat_asked_at=timezone.now(),
    )
    factories.make_message(
        session, text="De 1 a 5, como foi o atendimento?", author="SYSTEM", direction="OUTBOUND"
    )
    url = reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
    page = login(agent).get(url).content.decode()
    assert "De 1 a 5, como foi o atendimento?" in page
    assert "survey sent, no answer yet" in page
    session_csat_record(session=session, rating=4, comment="Demorou um pouco")
    page = login(agent).get(url).content.decode()
    assert 'data-rating="4"' in page
    assert "★★★★☆ 4/5" in page
    assert "Satisfaction rating: 4/5. Demorou um pouco" in page
    portuguese = login(agent, language="pt-br").get(url).content.decode()
    assert "Avaliação de satisfação: 4/5. Demorou um pouco" in portuguese
    assert "Satisfação" in portuguese


def test_the_list_filters_by_rating(agent_client, organization, instance):
    five = rated(organization, instance, 5)
    two = rated(organization, instance, 2)
    url = reverse("admin:sessions_app_chatsession_changelist")
    body = agent_client.get(url, {"csat": "5"}).content.decode()
    assert str(five.pk) in body and str(two.pk) not in body
    body = agent_client.get(url, {"csat": "answered"}).content.decode()
    assert str(five.pk) in body and str(two.pk) in body
