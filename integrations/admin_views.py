"""The delivery page's own view: redeliver one delivery.

Thin, as the conversation's views (console/views.py): the delivery is
found through its admin's scoped queryset (another organization's is a
404), the admin's redeliver action does the work and reports it.
``integrations.admin.DeliveryAdmin`` routes its URL here.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from integrations.models import Delivery


@require_POST
def redeliver(request, model_admin, delivery_id):
    delivery = model_admin.get_visible_object(request, delivery_id)
    if not model_admin.may_redeliver(request, delivery):
        raise PermissionDenied
    model_admin.redeliver_action(request, Delivery.objects.filter(pk=delivery.pk))
    return HttpResponseRedirect(reverse("admin:integrations_delivery_change", args=[delivery.pk]))
