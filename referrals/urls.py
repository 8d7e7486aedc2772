from django.urls import path, register_converter

from . import views


class TokenConverter:
    """Only the characters a link token is made of: anything else is a 404 before any query."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class ReferenceConverter(TokenConverter):
    regex = r"ADR-[A-Z0-9]{4}-[A-Z0-9]{4}"


register_converter(TokenConverter, "referral_token")
register_converter(ReferenceConverter, "referral_reference")

app_name = "referrals"
urlpatterns = [
    path("adresser/<referral_token:token>/", views.refer, name="refer"),
    path("adresser/<referral_token:token>/courrier/<referral_reference:reference>/", views.sent_letter,
         name="letter"),
    path("adressages/", views.inbox, name="inbox"),
    path("adressages/<uuid:referral_id>/", views.detail, name="detail"),
    path("adressages/<uuid:referral_id>/accepter/", views.accept, name="accept"),
    path("adressages/<uuid:referral_id>/refuser/", views.decline, name="decline"),
    path("profil/affiche-adressage/", views.poster, name="poster"),
    path("profil/lien-adressage/remplacer/", views.link_replace, name="link_replace"),
    path("medecin/", views.gp_portal, name="gp_portal"),
    path("medecin/inscription/", views.doctor_signup, name="gp_signup"),
]
