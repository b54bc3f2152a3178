from django.urls import path

from privacy import api

urlpatterns = [
    path("contacts/<uuid:contact_id>/erase", api.ContactEraseView.as_view(), name="contact-erase"),
    path("erasures", api.ErasureListView.as_view(), name="erasure-list"),
    path(
        "contacts/<uuid:contact_id>/export", api.ContactExportView.as_view(), name="contact-export"
    ),
    path(
        "contacts/by-phone/<str:phone>/export",
        api.ContactByPhoneExportView.as_view(),
        name="contact-by-phone-export",
    ),
    path("exports/<uuid:export_id>", api.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<uuid:export_id>/download",
        api.ExportDownloadView.as_view(),
        name="export-download",
    ),
]
