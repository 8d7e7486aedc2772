"""The access trail of health data: who read or changed which patient's data, when, from where.

Append-only: no update or delete path in the app (save, delete and the queryset refuse), and on
PostgreSQL a trigger refuses UPDATE and DELETE of the table (migration 0002). The only rows that
may go are traces older than the retention, deleted by `manage.py purge_access_log`.

The patient, the owner and the actor are plain values, not foreign keys: the trail outlives the
patient's erasure (and an account's), and it holds no identity data, only ids.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.choices import ChoiceLabels

APPEND_ONLY = "The access log is append-only."


class Action(models.TextChoices):
    READ = "read", pgettext_lazy("access log", "Read")
    WRITE = "write", pgettext_lazy("access log", "Change")
    ERASE = "erase", pgettext_lazy("access log", "Erasure")


class ObjectType(models.TextChoices):
    PATIENT = "patient", pgettext_lazy("access log", "Patient")
    PATHWAY = "pathway", pgettext_lazy("access log", "Pathway")
    SESSION = "session", pgettext_lazy("access log", "Session")
    DOCUMENT = "document", pgettext_lazy("access log", "Document")
    STATEMENT = "statement", pgettext_lazy("access log", "Statement of sessions")
    REFERRAL_SCAN = "referral_scan", pgettext_lazy("access log", "Scan of the referral letter")
    REFERRAL = "referral", pgettext_lazy("access log", "Referral")
    PATIENT_FILE = "patient_file", pgettext_lazy("access log", "Whole patient file (export)")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(APPEND_ONLY)

    def delete(self):
        raise ValidationError(APPEND_ONLY)

    def visible_to(self, psychologist):
        """The traces of the psychologist's own patients' data, whoever read it."""
        return self.filter(owner_id=psychologist.pk)

    def purge_older_than(self, cutoff):
        """The one deletion path: the caller (the purge command) opened the database's gate."""
        return models.QuerySet.delete(self.filter(at__lt=cutoff).exclude(action=Action.ERASE))[0]


class AccessLogEntry(ChoiceLabels, models.Model):
    at = models.DateTimeField(_("date"), default=timezone.now)
    # Who: the account's id and its name as it was then (the account may change or go).
    actor_id = models.BigIntegerField(_("user id"))
    actor_name = models.CharField(_("user"), max_length=300)
    # Whose data: the psychologist the patient belongs to (the journal's filter), and the patient.
    owner_id = models.BigIntegerField(_("psychologist id"), null=True)
    patient_id = models.UUIDField(_("patient id"), null=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=20, choices=ObjectType.choices)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    url_name = models.CharField(_("page"), max_length=100, blank=True)
    path = models.CharField(_("address of the page"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True)
    # For an erasure: what was erased (counts) and on which ground; never the data itself.
    details = models.JSONField(default=dict, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["owner_id", "at"], name="privacy_log_owner_at_idx"),
            models.Index(fields=["owner_id", "patient_id", "at"], name="privacy_log_owner_patient_idx"),
            models.Index(fields=["at"], name="privacy_log_at_idx"),
        ]
        verbose_name = _("access log entry")

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(APPEND_ONLY)
