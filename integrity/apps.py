from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrity"

    def ready(self):
        from django.core.signals import got_request_exception, request_finished

        from .faults import note_database_fault
        from .idempotency import record_sent_answer

        got_request_exception.connect(note_database_fault, dispatch_uid="integrity.note_database_fault")
        request_finished.connect(record_sent_answer, dispatch_uid="integrity.record_sent_answer")
