"""``/instances/{id}/templates``: synced from Meta (every page), listed with what each needs."""

import pytest

from config.schedules import PERIODIC_TASKS
from providers.models import MessageTemplate, Provider
from providers.tasks import template_sync_instance, templates_sync_all
from tests.support import factories
from tests.support.api import assert_error
from tests.support.cloudapi import (
    NAMED_REMINDER,
    ORDER_SHIPPED,
    WABA_ID,
    make_cloudapi_instance,
)

pytestmark = pytest.mark.django_db


def sync(api_client, instance):
    return api_client.post(f"/api/v1/instances/{instance.id}/templates/sync")


def test_sync_follows_every_page_and_stores_each_template(api_client, cloud, graph):
    response = sync(api_client, cloud)

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 5, "updated": 0, "deleted": 0, "total": 5}
    pages = graph.server.requests_to(f"/{WABA_ID}/message_templates")
    assert len(pages) == 3  # 2 + 2 + 1, following paging.next
    assert pages[0].headers["authorization"] == "Bearer EAAG-token"
    assert set(pages[0].query["fields"].split(",")) == {
        "id",
        "name",
        "language",
        "status",
        "category",
        "components",
        "parameter_format",
    }
    assert pages[1].query["after"] == "2"
    assert set(MessageTemplate.objects.values_list("name", "language", "status")) == {
        ("pedido_enviado", "pt_BR", "APPROVED"),
        ("lembrete_consulta", "pt_BR", "APPROVED"),
        ("boleto", "pt_BR", "APPROVED"),
        ("promo_natal", "pt_BR", "PENDING"),
        ("pedido_enviado", "en_US", "REJECTED"),
    }


def test_a_second_sync_updates_and_removes_what_meta_no_longer_lists(api_client, cloud, graph):
    sync(api_client, cloud)
    graph.templates = [{**ORDER_SHIPPED, "status": "PAUSED"}, NAMED_REMINDER]

    response = sync(api_client, cloud)

    assert response.json() == {"created": 0, "updated": 2, "deleted": 3, "total": 2}
    assert dict(MessageTemplate.objects.values_list("name", "status")) == {
        "pedido_enviado": "PAUSED",
        "lembrete_consulta": "APPROVED",
    }


def test_the_list_says_what_each_template_needs(api_client, cloud):
    sync(api_client, cloud)

    response = api_client.get(
        f"/api/v1/instances/{cloud.id}/templates", {"status": "APPROVED", "language": "pt_BR"}
    )

    assert response.status_code == 200
    data = {t["name"]: t for t in response.json()["data"]}
    assert set(data) == {"pedido_enviado", "lembrete_consulta", "boleto"}
    shipped = data["pedido_enviado"]
    assert shipped["components"] == ORDER_SHIPPED["components"]
    assert shipped["parameterFormat"] == "POSITIONAL"
    assert shipped["parameters"] == {
        "header": {"format": "TEXT", "variables": ["1"]},
        "body": {"variables": ["1", "2"]},
        "buttons": [
            {
                "index": 0,
                "subType": "quick_reply",
                "text": "Obrigado",
                "variables": ["payload"],
                "required": False,
            },
            {
                "index": 1,
                "subType": "url",
                "text": "Rastrear",
                "variables": ["1"],
                "required": True,
            },
        ],
    }
    assert data["lembrete_consulta"]["parameters"]["body"] == {"variables": ["first_name", "date"]}
    assert data["boleto"]["parameters"]["header"] == {"format": "DOCUMENT", "variables": []}


def test_the_list_searches_names_and_body_text(api_client, cloud):
    sync(api_client, cloud)
    by_name = api_client.get(f"/api/v1/instances/{cloud.id}/templates", {"search": "boleto"})
    by_text = api_client.get(f"/api/v1/instances/{cloud.id}/templates", {"search": "consulta"})

    assert [t["name"] for t in by_name.json()["data"]] == ["boleto"]
    assert [t["name"] for t in by_text.json()["data"]] == ["lembrete_consulta"]


def test_an_unknown_status_filter_is_a_400(api_client, cloud):
    response = api_client.get(f"/api/v1/instances/{cloud.id}/templates", {"status": "NOPE"})
    assert_error(response, 400, "validation_error")


def test_other_gateways_have_no_templates(api_client, organization):
    evolution = factories.make_instance(
        organization, provider=Provider.EVOLUTION, base_url="http://127.0.0.1:9", external_id="x"
    )
    assert_error(sync(api_client, evolution), 422, "unsupported_by_gateway")
    listing = api_client.get(f"/api/v1/instances/{evolution.id}/templates")
    assert_error(listing, 422, "unsupported_by_gateway")


def test_a_sync_without_the_business_account_id_is_a_400(api_client, organization, graph):
    instance = make_cloudapi_instance(
        organization, graph.server, credentials={"accessToken": "EAAG-token"}
    )
    error = assert_error(sync(api_client, instance), 400, "validation_error")
    assert "credentials" in error["details"]
    assert not graph.server.requests


def test_meta_failing_the_list_is_a_502_and_keeps_the_copy(api_client, cloud, graph):
    sync(api_client, cloud)
    graph.server.route(
        "GET",
        f"/{WABA_ID}/message_templates",
        lambda r: (500, {"error": {"message": "Service unavailable", "code": 2}}),
    )
    assert_error(sync(api_client, cloud), 502, "gateway_error")
    assert MessageTemplate.objects.count() == 5


def test_another_organizations_instance_is_a_404(other_api_client, cloud):
    assert_error(sync(other_api_client, cloud), 404, "not_found")
    assert_error(other_api_client.get(f"/api/v1/instances/{cloud.id}/templates"), 404)
    assert not MessageTemplate.objects.exists()


def test_the_beat_syncs_every_cloud_instance_with_a_business_account(organization, cloud, graph):
    assert PERIODIC_TASKS["templates-sync"] == ("providers.tasks.templates_sync_all", 3 * 3600)
    make_cloudapi_instance(
        organization, graph.server, name="No WABA", credentials={"accessToken": "t"}
    )
    assert templates_sync_all.apply().get() == 1

    template_sync_instance.apply(args=[str(cloud.id)])

    assert MessageTemplate.objects.filter(instance=cloud).count() == 5
