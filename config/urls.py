from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("pathway.urls")),
    path("", include("referrals.urls")),
    path("", include("documents.urls")),
    path("", include("privacy.urls")),
    path("admin/", admin.site.urls),
]
