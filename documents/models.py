"""Letters to the treating doctor and the end-of-care report, each released only with consent."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.choices import ChoiceLabels
from pathway.models import Pathway


class DocumentKind(models.TextChoices):
    POST_EVALUATION = "post_evaluation", _("Letter after the evaluation")
    ALERT = "alert", _("Alert: psychiatric care seems needed")
    END_OF_CARE = "end_of_care", _("End-of-care report")


class Outcome(models.TextChoices):
    IMPROVED = "improved", _("Improved")
    NOT_IMPROVED = "not_improved", _("Not improved")
    WORSENED = "worsened", _("Worsened")
    EMERGENCY = "emergency", _("Emergency")


class Orientation(models.TextChoices):
    NONE = "none", _("No orientation needed")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    CMP = "cmp", _("Medical-psychological centre (CMP)")
    CMP_IJ = "cmp_ij", _("Child and adolescent CMP (CMP-IJ)")
    MAISON_DES_ADOLESCENTS = "mda", _("Maison des adolescents")
    CSAPA = "csapa", _("Addiction care centre (CSAPA)")
    PSYCHIATRIC_EMERGENCY = "emergency", _("Psychiatric emergency service")
    OTHER = "other", _("Other (see details)")


class Document(ChoiceLabels, models.Model):
    """A draft until issued; once issued its text is frozen in `issued_html` for every reprint.

    A correction is a new version that `replaces` the previous one; the old one stays printable.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents"
    )
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )

    recipient_name = models.CharField(_("treating doctor"), max_length=200, blank=True)
    recipient_address = models.TextField(_("treating doctor's address"), blank=True)
    reason_for_care = models.TextField(_("reason for care"), blank=True)
    evolution = models.TextField(_("evolution"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    follow_up_needed = models.BooleanField(
        _("psychological follow-up still needed"), null=True, blank=True
    )
    orientation = models.CharField(
        _("recommended orientation"), max_length=20, choices=Orientation.choices, blank=True
    )
    orientation_details = models.TextField(_("orientation details"), blank=True)
    body = models.TextField(_("message"), blank=True)

    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_html = models.TextField(blank=True)
    issued_content = models.JSONField(default=dict, blank=True)

    # Released to the doctor: only with a recorded consent (services.document_release checks).
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="received_documents",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["pathway", "kind"]),
            models.Index(fields=["released_to", "released_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True) | ~Q(issued_html=""),
                name="issued_document_has_its_text",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(issued_at__isnull=False),
                name="only_issued_documents_are_released",
            ),
            models.CheckConstraint(
                condition=Q(released_to__isnull=True) | Q(released_at__isnull=False),
                name="released_to_implies_released",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_issued(self):
        return self.issued_at is not None

    @property
    def is_released(self):
        return self.released_at is not None


class ConsentGiver(models.TextChoices):
    PATIENT = "patient", _("The patient")
    PARENTAL_AUTHORITY = "parental_authority", _("The holders of parental authority")


class ConsentChannel(models.TextChoices):
    GIVEN_TO_PATIENT = "given_to_patient", _("Given to the patient, who hands it to the doctor")
    POST = "post", _("Post")
    SECURE_MESSAGING = "secure_messaging", _("Secure health messaging (MSSanté)")
    IN_APP = "in_app", _("In the app, to the doctor's account")


class Consent(ChoiceLabels, models.Model):
    """The patient's (or parents') consent that this document goes to the doctor (DOMAIN.md §6)."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="consent")
    given_on = models.DateField(_("consent date"))
    given_by = models.CharField(_("consented by"), max_length=20, choices=ConsentGiver.choices)
    given_by_names = models.CharField(_("names of those who consented"), max_length=300)
    channel = models.CharField(_("channel"), max_length=20, choices=ConsentChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.given_on:%d/%m/%Y} {self.given_by_names}"
