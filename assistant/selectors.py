"""Reads for the assistant app (see docs/STYLE.md)."""

from django.db.models import QuerySet

from assistant.models import Assistant, AssistantRun, KnowledgeDocument


def assistant_list(*, organization) -> QuerySet[Assistant]:
    return Assistant.objects.filter(organization=organization).prefetch_related("instances")


def document_list(*, assistant: Assistant) -> QuerySet[KnowledgeDocument]:
    return KnowledgeDocument.objects.filter(
        assistant=assistant, organization_id=assistant.organization_id
    )


def run_list(*, assistant: Assistant) -> QuerySet[AssistantRun]:
    return AssistantRun.objects.filter(
        assistant=assistant, organization_id=assistant.organization_id
    )
