from django.urls import path

from messaging.inbound.webhooks import webhook_by_instance, webhook_by_secret

urlpatterns = [
    path("<slug:provider>/i/<uuid:instance_id>", webhook_by_instance, name="webhook-by-instance"),
    path("<slug:provider>/i/<uuid:instance_id>/", webhook_by_instance),
    path("<slug:provider>/i/<uuid:instance_id>/<path:suffix>", webhook_by_instance),
    path("<slug:provider>/<str:secret>", webhook_by_secret, name="webhook"),
    path("<slug:provider>/<str:secret>/", webhook_by_secret),
    path("<slug:provider>/<str:secret>/<path:suffix>", webhook_by_secret),
]
