from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrity"

    def ready(self):
        from django.core.signals import got_request_exception

        from .faults import note_database_fault

        got_request_exception.connect(note_database_fault, dispatch_uid="integrity.note_database_fault")
