from django.urls import path

from privacy import api

urlpatterns = [
    path("contacts/<uuid:contact_id>/erase", api.ContactEraseView.as_view(), name="contact-erase"),
    path("erasures", api.ErasureListView.as_view(), name="erasure-list"),
]
