from django.urls import path

from contacts import api

urlpatterns = [
    path("contacts", api.ContactListCreateView.as_view(), name="contact-list"),
    path(
        "contacts/by-phone/<str:phone>", api.ContactByPhoneView.as_view(), name="contact-by-phone"
    ),
    path("contacts/<uuid:contact_id>", api.ContactDetailView.as_view(), name="contact-detail"),
    path(
        "contacts/<uuid:contact_id>/tabulations",
        api.ContactTabulationsView.as_view(),
        name="contact-tabulations",
    ),
    path("tabulations", api.TabulationListCreateView.as_view(), name="tabulation-list"),
    path(
        "tabulations/<uuid:tabulation_id>",
        api.TabulationDetailView.as_view(),
        name="tabulation-detail",
    ),
]
