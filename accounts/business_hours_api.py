"""``/api/v1/business-hours`` and ``/api/v1/departments/{id}/business-hours``."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import request_organization
from accounts.business_hours import business_hours_state, out_of_office_text
from accounts.models import BusinessHours, Department
from accounts.serializers import BusinessHoursSerializer, BusinessHoursWriteSerializer
from core.api import LimitedJSONParser, get_scoped_or_404
from core.timefmt import iso_utc

HOURS_EXAMPLE = OpenApiExample(
    "Weekdays 9–18, Saturday mornings",
    value={
        "timezone": "America/Sao_Paulo",
        "weekly": [
            *({"weekday": d, "open": "09:00", "close": "18:00"} for d in range(5)),
            {"weekday": 5, "open": "09:00", "close": "12:00"},
        ],
        "holidays": [{"date": "2026-12-25", "name": "Natal"}],
        "outOfOfficeMessage": "Estamos fora do horário. Respondemos a partir das 9h.",
        "enabled": True,
    },
    request_only=True,
)
HOURS_ANSWER = OpenApiExample(
    "Hours",
    value={
        "timezone": "America/Sao_Paulo",
        "weekly": [{"weekday": 0, "open": "09:00", "close": "18:00"}],
        "holidays": [{"date": "2026-12-25", "name": "Natal"}],
        "outOfOfficeMessage": "Estamos fora do horário. Respondemos a partir das 9h.",
        "enabled": True,
        "inherited": False,
        "open": False,
        "nextOpenAt": "2026-12-28T12:00:00Z",
    },
    response_only=True,
)


def hours_body(hours: BusinessHours | None, organization, *, inherited: bool = False) -> dict:
    state = business_hours_state(hours, timezone.now())
    if hours is None:
        hours = BusinessHours(timezone=organization.timezone)
    return {
        "timezone": hours.timezone,
        "weekly": hours.weekly,
        "holidays": hours.holidays,
        "outOfOfficeMessage": out_of_office_text(hours),
        "enabled": hours.enabled,
        "inherited": inherited,
        "open": state.open,
        "nextOpenAt": iso_utc(state.next_open_at),
    }


def _organization_hours(organization) -> BusinessHours | None:
    return BusinessHours.objects.filter(organization=organization).first()


def _put(request, *, department=None):
    serializer = BusinessHoursWriteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return services.business_hours_put(
        organization=request_organization(request),
        department=department,
        timezone=data.get("timezone", ""),
        weekly=data["weekly"],
        holidays=data["holidays"],
        out_of_office_message=data["outOfOfficeMessage"],
        enabled=data["enabled"],
    )


class BusinessHoursView(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="The organization's business hours",
        responses=BusinessHoursSerializer,
        examples=[HOURS_ANSWER],
    )
    def get(self, request):
        organization = request_organization(request)
        return Response(hours_body(_organization_hours(organization), organization))

    @extend_schema(
        summary="Replace the organization's business hours",
        request=BusinessHoursWriteSerializer,
        responses=BusinessHoursSerializer,
        examples=[HOURS_EXAMPLE, HOURS_ANSWER],
    )
    def put(self, request):
        hours = _put(request)
        return Response(hours_body(hours, request_organization(request)))


def _department(request, department_id) -> Department:
    departments = Department.objects.filter(organization=request_organization(request))
    return get_scoped_or_404(departments, department_id, "department")


class DepartmentBusinessHoursView(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="A department's business hours (its own, or its organization's: inherited)",
        responses=BusinessHoursSerializer,
        examples=[HOURS_ANSWER],
    )
    def get(self, request, department_id):
        department = _department(request, department_id)
        organization = request_organization(request)
        own = BusinessHours.objects.filter(department=department).first()
        if own is not None:
            return Response(hours_body(own, organization))
        return Response(hours_body(_organization_hours(organization), organization, inherited=True))

    @extend_schema(
        summary="Give a department business hours of its own",
        request=BusinessHoursWriteSerializer,
        responses=BusinessHoursSerializer,
        examples=[HOURS_EXAMPLE, HOURS_ANSWER],
    )
    def put(self, request, department_id):
        department = _department(request, department_id)
        hours = _put(request, department=department)
        return Response(hours_body(hours, request_organization(request)))

    @extend_schema(
        summary="The department follows its organization's hours again",
        responses={204: None},
    )
    def delete(self, request, department_id):
        services.business_hours_delete(department=_department(request, department_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
