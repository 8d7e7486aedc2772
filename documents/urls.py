from django.urls import path, register_converter

from . import views
from .models import DocumentKind


class DocumentKindConverter:
    """French path segments for the kinds; an unknown one does not resolve (404)."""

    SLUGS = {
        DocumentKind.POST_EVALUATION: "courrier-apres-evaluation",
        DocumentKind.ALERT: "alerte",
        DocumentKind.END_OF_CARE: "compte-rendu-fin-de-prise-en-charge",
    }
    KINDS = {slug: kind for kind, slug in SLUGS.items()}
    regex = "|".join(SLUGS.values())

    def to_python(self, value):
        return str(self.KINDS[value])

    def to_url(self, kind):
        return self.SLUGS[DocumentKind(kind)]


register_converter(DocumentKindConverter, "document_kind")

app_name = "documents"
urlpatterns = [
    path("parcours/<uuid:pathway_id>/documents/nouveau/<document_kind:kind>/", views.document_create,
         name="create"),
    path("documents/<uuid:document_id>/", views.document_detail, name="detail"),
    path("documents/<uuid:document_id>/emettre/", views.document_issue, name="issue"),
    path("documents/<uuid:document_id>/corriger/", views.document_correct, name="correct"),
    path("documents/<uuid:document_id>/consentement/", views.consent_record, name="consent"),
    path("documents/<uuid:document_id>/transmettre/", views.document_release, name="release"),
    path("documents/<uuid:document_id>/imprimer/", views.document_print, name="print"),
    path("documents/<uuid:document_id>/pdf/", views.document_pdf, name="pdf"),
    path("patients/<uuid:patient_id>/releve/<int:year>/", views.statement, name="statement"),
    path("patients/<uuid:patient_id>/releve/<int:year>/pdf/", views.statement_pdf, name="statement_pdf"),
]
