from django.urls import path

from integrations import api

urlpatterns = [
    path("integrations", api.IntegrationListCreateView.as_view(), name="integration-list"),
    path(
        "integrations/<uuid:integration_id>",
        api.IntegrationDetailView.as_view(),
        name="integration-detail",
    ),
    path(
        "integrations/<uuid:integration_id>/deliveries",
        api.IntegrationDeliveriesView.as_view(),
        name="integration-deliveries",
    ),
    path(
        "deliveries/<uuid:delivery_id>/redeliver",
        api.DeliveryRedeliverView.as_view(),
        name="delivery-redeliver",
    ),
]
