import threading

import pytest
from django.db import IntegrityError, connection, transaction

from contacts.models import Contact, ContactTabulation
from messaging.models import Message
from sessions_app.models import ChatSession, SessionStatus, SessionTabulation
from tests.support import factories


def test_phone_is_unique_per_organization(organization, other_organization):
    factories.make_contact(organization, phone="5511987654321")
    factories.make_contact(other_organization, phone="5511987654321")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_contact(organization, phone="5511987654321")


def test_contacts_without_phone_do_not_collide(organization):
    Contact.objects.create(organization=organization, phone=None)
    Contact.objects.create(organization=organization, phone=None)
    assert Contact.objects.filter(phone__isnull=True).count() == 2


def test_provider_message_id_is_unique_per_instance(organization, chat_session):
    other_instance = factories.make_instance(organization)
    factories.make_message(chat_session, provider_message_id="ABC")
    other_session = factories.make_session(contact=chat_session.contact, instance=other_instance)
    factories.make_message(other_session, provider_message_id="ABC")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_message(chat_session, provider_message_id="ABC")


def test_messages_without_provider_id_do_not_collide(chat_session):
    factories.make_message(chat_session, provider_message_id=None)
    factories.make_message(chat_session, provider_message_id=None)
    assert Message.objects.count() == 2


def test_one_open_session_per_contact_and_instance(contact, instance):
    factories.make_session(contact=contact, instance=instance, status=SessionStatus.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_session(contact=contact, instance=instance, status=SessionStatus.QUEUED)


def test_closed_sessions_do_not_count_as_open(contact, instance):
    factories.make_session(contact=contact, instance=instance, status=SessionStatus.CLOSED)
    factories.make_session(contact=contact, instance=instance, status=SessionStatus.CLOSED)
    factories.make_session(contact=contact, instance=instance, status=SessionStatus.QUEUED)
    assert ChatSession.objects.count() == 3


def test_tabulations_attach_once(chat_session, organization):
    tag = factories.make_tabulation(organization)
    ContactTabulation.objects.create(contact=chat_session.contact, tabulation=tag)
    SessionTabulation.objects.create(session=chat_session, tabulation=tag)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactTabulation.objects.create(contact=chat_session.contact, tabulation=tag)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionTabulation.objects.create(session=chat_session, tabulation=tag)


@pytest.mark.django_db(transaction=True)
def test_two_threads_creating_the_first_session_get_one():
    organization = factories.make_organization()
    instance = factories.make_instance(organization)
    contact = factories.make_contact(organization)
    barrier = threading.Barrier(2)
    outcomes = []

    def create():
        try:
            barrier.wait()
            with transaction.atomic():
                factories.make_session(contact=contact, instance=instance)
            outcomes.append("created")
        except IntegrityError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "created"]
    assert ChatSession.objects.filter(contact=contact, instance=instance).count() == 1
