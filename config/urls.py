from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("pathway.urls")),
    path("", include("referrals.urls")),
    path("", include("documents.urls")),
    path("admin/", admin.site.urls),
]
