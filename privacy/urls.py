from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("journal/", views.journal, name="journal"),
    path("journal/export-csv/", views.journal_csv, name="journal_csv"),
    path("patients/<uuid:patient_id>/dossier/json/", views.export_json, name="export_json"),
    path("patients/<uuid:patient_id>/dossier/pdf/", views.export_pdf, name="export_pdf"),
    path("patients/<uuid:patient_id>/effacement/", views.patient_erase, name="erase"),
]
