import re

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.models import ApiKey


def _superuser_client(client):
    user = get_user_model().objects.create_superuser("root", password="pw-123456")
    client.force_login(user)
    return client


def test_a_key_made_in_the_admin_is_shown_once_and_works(client, organization):
    _superuser_client(client)
    response = client.post(
        "/admin/accounts/apikey/add/",
        {"organization": organization.pk, "name": "crm"},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"(atd_[A-Za-z0-9_-]{40,})", response.content.decode())
    assert shown is not None
    raw_key = shown.group(1)
    api_key = ApiKey.objects.get(organization=organization, name="crm")
    assert api_key.hashed_key == ApiKey.hash(raw_key)

    page = client.get(f"/admin/accounts/apikey/{api_key.pk}/change/").content.decode()
    assert raw_key not in page and api_key.hashed_key not in page

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert api.get("/api/v1/organization").status_code == 200


def test_revoking_in_the_admin_shuts_the_key_out(client, organization):
    _superuser_client(client)
    client.post("/admin/accounts/apikey/add/", {"organization": organization.pk, "name": "x"})
    api_key = ApiKey.objects.get(name="x")
    client.post(
        "/admin/accounts/apikey/",
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
