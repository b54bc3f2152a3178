from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization


class CurrentOrganizationView(APIView):
    """The organization the presented API key belongs to."""

    @extend_schema(
        responses=inline_serializer(
            "CurrentOrganization",
            {
                "id": serializers.UUIDField(),
                "name": serializers.CharField(),
                "apiKeyName": serializers.CharField(),
            },
        )
    )
    def get(self, request):
        organization = request_organization(request)
        return Response(
            {"id": organization.id, "name": organization.name, "apiKeyName": request.auth.name}
        )
