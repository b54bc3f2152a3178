"""``/instances/{id}/templates``: the synced templates, and a sync now. Thin views."""

import django_filters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from core.api import get_scoped_or_404
from providers import selectors
from providers.models import Instance, MessageTemplate, TemplateStatus
from providers.templates.serializers import MessageTemplateSerializer, TemplateSyncSerializer
from providers.templates.sync import templates_check_supported, templates_sync

UNSUPPORTED = OpenApiResponse(
    description="`unsupported_by_gateway`: only Cloud API instances have templates."
)


def _instance(request, instance_id) -> Instance:
    return get_scoped_or_404(
        selectors.instance_list(organization=request_organization(request)), instance_id, "instance"
    )


class TemplateFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TemplateStatus.choices)
    language = django_filters.CharFilter(max_length=16)
    search = django_filters.CharFilter(max_length=100, method="filter_search")

    class Meta:
        model = MessageTemplate
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return selectors.template_search(queryset, value)


class TemplateListView(generics.ListAPIView):
    queryset = MessageTemplate.objects.none()
    serializer_class = MessageTemplateSerializer
    filterset_class = TemplateFilter

    def get_queryset(self):
        instance = _instance(self.request, self.kwargs["instance_id"])
        templates_check_supported(instance)
        return selectors.template_list(instance=instance)

    @extend_schema(
        summary="List an instance's WhatsApp message templates (Cloud API)",
        description=(
            "As last synced from Meta. `parameters` says what a TEMPLATE message must give: "
            "the body variables (positional `1, 2…` or named), a media header's kind, "
            "and the buttons that take a parameter."
        ),
        responses={200: MessageTemplateSerializer(many=True), 422: UNSUPPORTED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TemplateSyncView(APIView):
    @extend_schema(
        summary="Sync the instance's templates from Meta now",
        request=None,
        responses={
            200: TemplateSyncSerializer,
            422: UNSUPPORTED,
            502: OpenApiResponse(description="`gateway_error`: Meta did not list the templates."),
        },
        examples=[
            OpenApiExample(
                "Synced",
                value={"created": 2, "updated": 5, "deleted": 0, "total": 7},
                response_only=True,
            )
        ],
    )
    def post(self, request, instance_id):
        result = templates_sync(instance=_instance(request, instance_id))
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
                "total": result.total,
            }
        )
