"""A template in the API: Meta's fields plus ``parameters`` (what a send must give)."""

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from providers.models import MessageTemplate
from providers.templates.spec import template_parameters

TEMPLATE_EXAMPLE = OpenApiExample(
    "An approved template",
    response_only=True,
    value={
        "id": "0c9d3a8e-5f1b-4c2d-9e7a-6b5c4d3e2f10",
        "instanceId": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
        "providerTemplateId": "1234567890",
        "name": "pedido_enviado",
        "language": "pt_BR",
        "status": "APPROVED",
        "statusReason": "",
        "category": "UTILITY",
        "parameterFormat": "POSITIONAL",
        "components": [
            {"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu para entrega."},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Obrigado"}]},
        ],
        "parameters": {
            "header": None,
            "body": {"variables": ["1", "2"]},
            "buttons": [
                {
                    "index": 0,
                    "subType": "quick_reply",
                    "text": "Obrigado",
                    "variables": ["payload"],
                    "required": False,
                }
            ],
        },
        "syncedAt": "2026-12-07T12:00:00Z",
    },
)


class HeaderNeedsSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"])
    variables = serializers.ListField(child=serializers.CharField())


class BodyNeedsSerializer(serializers.Serializer):
    variables = serializers.ListField(child=serializers.CharField())


class ButtonNeedsSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    subType = serializers.ChoiceField(choices=["url", "quick_reply", "copy_code"])
    text = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()


class TemplateNeedsSerializer(serializers.Serializer):
    header = HeaderNeedsSerializer(allow_null=True)
    body = BodyNeedsSerializer()
    buttons = ButtonNeedsSerializer(many=True)


@extend_schema_serializer(examples=[TEMPLATE_EXAMPLE])
class MessageTemplateSerializer(serializers.ModelSerializer):
    instanceId = serializers.UUIDField(source="instance_id")
    providerTemplateId = serializers.CharField(source="provider_template_id")
    statusReason = serializers.CharField(source="status_reason")
    parameterFormat = serializers.CharField(source="parameter_format")
    components = serializers.ListField(child=serializers.DictField())
    parameters = serializers.SerializerMethodField()
    syncedAt = serializers.DateTimeField(source="synced_at")

    class Meta:
        model = MessageTemplate
        fields = [
            "id",
            "instanceId",
            "providerTemplateId",
            "name",
            "language",
            "status",
            "statusReason",
            "category",
            "parameterFormat",
            "components",
            "parameters",
            "syncedAt",
        ]
        read_only_fields = fields

    @extend_schema_field(TemplateNeedsSerializer)
    def get_parameters(self, template: MessageTemplate) -> dict:
        return template_parameters(template.components)


class TemplateSyncSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    total = serializers.IntegerField()
