"""Referrals sent by a doctor (or a midwife…) through a psychologist's referral link."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.choices import ChoiceLabels
from pathway import rules
from pathway.models import Pathway, Patient


def new_link_token():
    return secrets.token_urlsafe(24)


# Unambiguous letters and digits: the code is read aloud on the phone and typed from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference():
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"ADR-{chars[:4]}-{chars[4:]}"


class ReferralLink(models.Model):
    """The psychologist's public referral address; replacing it revokes the old one (404)."""

    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_links"
    )
    token = models.CharField(max_length=64, unique=True, default=new_link_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["psychologist"], condition=Q(revoked_at__isnull=True),
                name="one_live_referral_link_per_psychologist",
            ),
        ]

    def __str__(self):
        return f"{self.psychologist} ({'revoked' if self.revoked_at else 'live'})"


class ReferrerProfession(models.TextChoices):
    GP = "gp", _("General practitioner")
    PAEDIATRICIAN = "paediatrician", _("Paediatrician")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    OTHER_DOCTOR = "other_doctor", _("Other doctor (hospital, PMI, school or university)")
    MIDWIFE = "midwife", _("Midwife")
    SCHOOL_HEALTH = "school_health", _("School-health professional")


# Professions addressed as "Dr" on letters and on the pathway page.
DOCTOR_PROFESSIONS = (
    ReferrerProfession.GP, ReferrerProfession.PAEDIATRICIAN, ReferrerProfession.PSYCHIATRIST,
    ReferrerProfession.OTHER_DOCTOR,
)

# The scheme's referrer kinds (rules.py) each profession falls under.
REFERRER_KIND_OF_PROFESSION = {
    ReferrerProfession.GP: rules.DOCTOR,
    ReferrerProfession.PAEDIATRICIAN: rules.DOCTOR,
    ReferrerProfession.PSYCHIATRIST: rules.DOCTOR,
    ReferrerProfession.OTHER_DOCTOR: rules.DOCTOR,
    ReferrerProfession.MIDWIFE: rules.MIDWIFE,
    ReferrerProfession.SCHOOL_HEALTH: rules.SCHOOL_HEALTH,
}


def professional_number_display(number):
    """An RPPS number has 11 digits, an ADELI number 9 characters: the length tells which."""
    return f"RPPS {number}" if len(number) == 11 else f"ADELI {number}"


class ReferrerProfile(ChoiceLabels, models.Model):
    """What a doctor's account adds to the user: the profession, asked at sign-up."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrer_profile"
    )
    profession = models.CharField(_("profession"), max_length=20, choices=ReferrerProfession.choices)

    def __str__(self):
        return f"{self.user} ({self.get_profession_display()})"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("The patient does not seem eligible for the scheme")
    NO_AVAILABILITY = "no_availability", _("No availability in a reasonable time")
    OUT_OF_AREA = "out_of_area", _("Too far from the practice")
    PATIENT_UNREACHABLE = "patient_unreachable", _("The patient could not be reached")
    DUPLICATE = "duplicate", _("Duplicate of another referral")
    OTHER = "other", _("Other reason")


class Referral(ChoiceLabels, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    link = models.ForeignKey(ReferralLink, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(_("reference"), max_length=13, unique=True, default=new_reference)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    # Set only when a logged-in doctor sent it: the one account that may follow its status.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="sent_referrals",
    )

    referrer_last_name = models.CharField(_("last name"), max_length=100)
    referrer_first_name = models.CharField(_("first name"), max_length=100)
    referrer_profession = models.CharField(
        _("profession"), max_length=20, choices=ReferrerProfession.choices
    )
    referrer_number = models.CharField(_("RPPS or ADELI number"), max_length=11)
    referrer_address = models.TextField(_("practice address"))
    referrer_phone = models.CharField(_("phone"), max_length=30, blank=True)
    referrer_email = models.EmailField(_("email"), blank=True)

    patient_last_name = models.CharField(_("patient's last name"), max_length=100)
    patient_first_name = models.CharField(_("patient's first name"), max_length=100)
    patient_birth_date = models.DateField(_("patient's birth date"))
    patient_phone = models.CharField(_("patient's phone"), max_length=30, blank=True)
    patient_email = models.EmailField(_("patient's email"), blank=True)

    reason = models.TextField(_("reason for referral"))
    clinical_context = models.TextField(_("clinical context"), blank=True)
    psychotropic_treatment = models.TextField(_("current psychotropic treatment"), blank=True)
    psychotropic_started_on = models.DateField(_("treatment start date"), null=True, blank=True)

    # The referrer's own screening of the exclusion criteria (DOMAIN.md §2). Suicide risk is
    # never stored here: such a referral is not sent as a routine one.
    screen_psychiatric_ald = models.BooleanField(
        _("Psychiatric long-term illness (ALD), invalidity or long sick leave, now or within 2 years"),
        default=False,
    )
    screen_psychiatric_follow_up = models.BooleanField(
        _("Already followed in psychiatry or hospitalised for a psychiatric reason"), default=False
    )
    screen_severe_disorder = models.BooleanField(
        _("Severe disorder: dependence, eating disorder with severity signs, acute decompensation"),
        default=False,
    )

    # A keyed hash of the sender's address, for the rate limit: the address itself is not kept.
    sender_fingerprint = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=30, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("note to the referrer"), blank=True)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    pathway = models.OneToOneField(
        Pathway, on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["psychologist", "status", "received_at"]),
            models.Index(fields=["link", "received_at"]),
            models.Index(fields=["sender_fingerprint", "received_at"]),
            models.Index(fields=["sent_by", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(pathway__isnull=False, patient__isnull=False),
                name="accepted_referral_has_its_pathway",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_referral_has_a_reason",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def referrer_name(self):
        return f"{self.referrer_first_name} {self.referrer_last_name.upper()}"

    @property
    def referrer_display_name(self):
        """Dr Anne LEROY for a doctor; Anne LEROY for a midwife or a school-health professional."""
        if self.referrer_profession in DOCTOR_PROFESSIONS:
            return f"Dr {self.referrer_name}"
        return self.referrer_name

    @property
    def referrer_number_display(self):
        return professional_number_display(self.referrer_number)

    @property
    def patient_name(self):
        return f"{self.patient_last_name.upper()} {self.patient_first_name}"

    @property
    def referrer_kind(self):
        return REFERRER_KIND_OF_PROFESSION[ReferrerProfession(self.referrer_profession)]

    @property
    def screened_exclusions(self):
        flags = ("screen_psychiatric_ald", "screen_psychiatric_follow_up", "screen_severe_disorder")
        return [self._meta.get_field(name).verbose_name for name in flags if getattr(self, name)]

    @property
    def follow_status(self):
        """What the referrer sees: pending, accepted, declined, or closed once the pathway ended."""
        if self.status == ReferralStatus.ACCEPTED and self.pathway and not self.pathway.is_active:
            return "closed"
        return self.status

    def get_follow_status_display(self):
        if self.follow_status == "closed":
            return _("Care ended")
        return self.get_status_display()

