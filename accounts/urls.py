from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("deconnexion/partout/", views.logout_everywhere, name="logout_everywhere"),
    path("profil/", views.profile, name="profile"),
    path("profil/mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("connexion/deux-etapes/", views.two_factor_verify, name="two_factor_verify"),
    path("connexion/deux-etapes/activer/", views.two_factor_setup, name="two_factor_setup"),
    path("profil/deux-etapes/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path("profil/deux-etapes/desactiver/", views.two_factor_disable, name="two_factor_disable"),
]
