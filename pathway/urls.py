from django.urls import path

from . import views

app_name = "pathway"
urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("regles/", views.scheme_rules, name="rules"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/nouveau/", views.patient_create, name="patient_create"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<uuid:patient_id>/modifier/", views.patient_edit, name="patient_edit"),
    path("patients/<uuid:patient_id>/seances-declarees/", views.declared_sessions_add,
         name="declared_sessions_add"),
    path("patients/<uuid:patient_id>/parcours/nouveau/", views.pathway_open, name="pathway_open"),
    path("parcours/<uuid:pathway_id>/", views.pathway_detail, name="detail"),
    path("parcours/<uuid:pathway_id>/evaluation/", views.pathway_evaluate, name="evaluate"),
    path("parcours/<uuid:pathway_id>/seances/nouvelle/", views.session_record, name="session_record"),
    path("parcours/<uuid:pathway_id>/suivis-prevus/", views.pathway_plan_followups, name="plan_followups"),
    path("parcours/<uuid:pathway_id>/cloture/", views.pathway_close, name="close"),
    path("parcours/<uuid:pathway_id>/courrier/", views.referral_scan, name="referral_scan"),
    path("seances/<uuid:session_id>/modifier/", views.session_edit, name="session_edit"),
]
