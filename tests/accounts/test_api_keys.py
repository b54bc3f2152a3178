from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import LAST_USED_PRECISION
from accounts.models import ApiKey
from accounts.services import api_key_create, api_key_revoke

URL = "/api/v1/organization"


def test_no_key_is_401_in_the_error_shape(db):
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "header", ["Bearer atd_wrong", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_wrong_key_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_revoked_key_is_401(organization):
    api_key, raw = api_key_create(organization=organization)
    api_key_revoke(api_key=api_key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(URL).status_code == 401


def test_valid_key_reads_its_organization_and_records_use(organization):
    api_key, raw = api_key_create(organization=organization, name="crm")
    assert api_key.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "id": str(organization.id),
        "name": "Acme",
        "apiKeyName": "crm",
        "csat": {
            "enabled": False,
            "question": "De 1 a 5, como foi o atendimento?",
            "thanks": "Obrigado pela avaliação!",
        },
        "retention": {"messagesDays": None, "mediaDays": None, "closedSessionsDays": None},
    }
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_only_the_hash_is_stored(organization):
    api_key, raw = api_key_create(organization=organization)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert raw not in {stored.hashed_key, stored.hint, stored.name}
    assert stored.hashed_key == ApiKey.hash(raw)


def test_inactive_organization_key_is_401(organization):
    _, raw = api_key_create(organization=organization)
    organization.is_active = False
    organization.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(URL).status_code == 401


def test_use_is_written_once_a_minute_not_on_every_request(organization):
    api_key, raw = api_key_create(organization=organization)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(URL).status_code == 200

    def updates() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "accounts_apikey"')]

    assert updates() == []
    # A minute later, the next request records it again.
    earlier = timezone.now() - LAST_USED_PRECISION - timedelta(seconds=1)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=earlier)
    assert len(updates()) == 1
    api_key.refresh_from_db()
    assert api_key.last_used_at > earlier
