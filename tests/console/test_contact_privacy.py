"""The contact page's LGPD erase button: a confirmation page, then the erasure."""

import io
import zipfile

import pytest

from privacy.models import Erasure, Export
from privacy.services.export import export_run
from tests.support import factories
from tests.support.console import login

pytestmark = pytest.mark.django_db


def test_an_agent_erases_a_contact_after_confirming(contact, agent):
    client = login(agent, language="pt-br")
    page = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert "Apagar dados (LGPD)" in page.content.decode()

    confirm = client.get(f"/admin/contacts/contact/{contact.pk}/erase/")
    assert confirm.status_code == 200
    assert "Isto não pode ser desfeito." in confirm.content.decode()
    assert Erasure.objects.count() == 0  # nothing happens before the confirmation

    done = client.post(
        f"/admin/contacts/contact/{contact.pk}/erase/", {"reason": "Pedido do titular"}
    )

    assert done.status_code == 302
    erasure = Erasure.objects.get()
    assert (erasure.source, erasure.requested_by, erasure.reason) == (
        "console",
        "agent:ana",
        "Pedido do titular",
    )
    contact.refresh_from_db()
    assert contact.name == "Contato removido" and contact.phone is None
    after = client.get(f"/admin/contacts/contact/{contact.pk}/change/", follow=True)
    assert "Apagar dados (LGPD)" not in after.content.decode()


def test_without_a_reason_nothing_is_erased(contact, agent):
    client = login(agent)
    response = client.post(f"/admin/contacts/contact/{contact.pk}/erase/", {"reason": " "})

    assert response.status_code == 200
    assert not Erasure.objects.exists()
    contact.refresh_from_db()
    assert contact.erased_at is None


def test_another_organizations_agent_gets_a_404(contact, other_organization):
    stranger = factories.make_agent(other_organization, username="bia")
    client = login(stranger)

    assert client.get(f"/admin/contacts/contact/{contact.pk}/erase/").status_code == 404
    response = client.post(f"/admin/contacts/contact/{contact.pk}/erase/", {"reason": "x"})
    assert response.status_code == 404
    assert not Erasure.objects.exists()


def test_agents_see_their_organizations_erasures_only(contact, agent, other_organization):
    other_contact = factories.make_contact(other_organization, name="Outra")
    login(agent).post(f"/admin/contacts/contact/{contact.pk}/erase/", {"reason": "Pedido"})
    stranger = factories.make_agent(other_organization, username="bia")
    login(stranger).post(f"/admin/contacts/contact/{other_contact.pk}/erase/", {"reason": "Pedido"})

    page = login(agent).get("/admin/privacy/erasure/")

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [Erasure.objects.get(contact=contact)]


def test_an_agent_exports_a_contact_and_downloads_the_zip(contact, agent):
    client = login(agent, language="pt-br")
    page = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert "Exportar dados (LGPD)" in page.content.decode()

    response = client.post(f"/admin/contacts/contact/{contact.pk}/export/")

    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.contact_id, export.requested_by) == (contact.pk, "agent:ana")
    export_run(export.pk)  # what the worker does
    page = client.get(f"/admin/contacts/contact/{contact.pk}/change/").content.decode()
    assert "Exportações de dados (LGPD)" in page and "Baixar" in page
    download = client.get(f"/admin/contacts/contact/{contact.pk}/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert zipfile.is_zipfile(io.BytesIO(b"".join(download.streaming_content)))


def test_another_organizations_agent_cannot_export_or_download(contact, other_organization):
    export = Export.objects.create(
        organization=contact.organization, contact=contact, requested_by="api:crm"
    )
    export_run(export.pk)
    client = login(factories.make_agent(other_organization, username="bia"))

    assert client.post(f"/admin/contacts/contact/{contact.pk}/export/").status_code == 404
    assert Export.objects.count() == 1
    download = client.get(f"/admin/contacts/contact/{contact.pk}/exports/{export.pk}/download/")
    assert download.status_code == 404
