from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PsychologistAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (
        (
            "Mon soutien psy",
            {"fields": ("role", "rpps", "adeli", "practice_address", "phone",
                        "is_conventioned", "convention_date")},
        ),
    )
    list_display = ("username", "last_name", "first_name", "role", "is_conventioned")
