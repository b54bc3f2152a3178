"""The beat task asks each active instance's gateway for its state."""

import pytest

from config.schedules import PERIODIC_TASKS
from providers.models import ConnectionStatus
from providers.tasks import instance_poll_connection, instances_poll_connection
from tests.support.gateways import make_instance
from tests.support.http_server import FakeHTTPServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


def test_the_poll_is_scheduled_every_few_minutes():
    assert PERIODIC_TASKS["instances-poll-connection"] == (
        "providers.tasks.instances_poll_connection",
        300,
    )


def test_a_poll_records_the_state_and_since_only_on_change(organization):
    with FakeHTTPServer() as server:
        server.route(
            "GET",
            "/instance/status",
            lambda r: (
                200,
                {
                    "instance": {"status": "connected"},
                    "status": {"jid": "5511999990000:4@s.whatsapp.net"},
                },
            ),
        )
        instance = make_instance(organization, "uazapi", server)
        instance_poll_connection.apply(args=[str(instance.pk)])
        instance.refresh_from_db()
        since = instance.connection_status_since
        instance_poll_connection.apply(args=[str(instance.pk)])
    instance.refresh_from_db()
    assert (instance.connection_status, instance.phone_number) == (
        ConnectionStatus.CONNECTED,
        "5511999990000",
    )
    assert instance.connection_status_since == since
    assert instance.last_health_check_at > since


def test_an_unreachable_gateway_is_recorded_as_error(organization):
    with FakeHTTPServer() as server:
        instance = make_instance(organization, "uazapi", server, base_url="http://127.0.0.1:9")
    instance_poll_connection.apply(args=[str(instance.pk)])
    instance.refresh_from_db()
    assert instance.connection_status == ConnectionStatus.ERROR
    assert "could not connect" in instance.last_health_error


def test_the_beat_task_fans_out_to_active_instances(organization, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "providers.tasks.instance_poll_connection.delay",
        lambda instance_id: queued.append(instance_id),
    )
    with FakeHTTPServer() as server:
        active = make_instance(organization, "uazapi", server)
        make_instance(organization, "uazapi", server, name="off", is_active=False)
    assert instances_poll_connection.apply().get() == 1
    assert queued == [str(active.pk)]


def test_the_admin_check_records_errors_without_raising(organization):
    from providers.services import instance_check_connection

    with FakeHTTPServer() as server:
        instance = make_instance(organization, "uazapi", server, base_url="http://127.0.0.1:9")
    assert instance_check_connection(instance=instance).connection_status == "ERROR"
