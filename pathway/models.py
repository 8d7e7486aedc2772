import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.choices import ChoiceLabels
from config.uuids import uuid7

from . import rules


def private_storage():
    """Referral scans go to the default storage (MEDIA_ROOT unless configured), never to a public URL:
    an owner-checked view serves them."""
    return storages["default"]


# Letters that Unicode does not decompose into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})
SEARCH_NAME_LENGTH = 255


def search_key(text):
    """Lowercase and unaccented, so that "helene", "HELENE" and "Hélène" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Patient(ChoiceLabels, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patients"
    )
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    nir = models.CharField(_("social security number (NIR)"), max_length=15, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    treating_doctor_name = models.CharField(_("treating doctor"), max_length=200, blank=True)
    treating_doctor_address = models.TextField(_("treating doctor's address"), blank=True)

    # Coverage that makes tiers payant mandatory (DOMAIN.md §5).
    has_css = models.BooleanField(_("Complémentaire santé solidaire (CSS)"), default=False)
    has_ame = models.BooleanField(_("State medical aid (AME)"), default=False)
    has_ald = models.BooleanField(_("Long-term illness (ALD, non-psychiatric)"), default=False)
    maternity_from_sixth_month = models.BooleanField(
        _("Maternity, from the 6th month of pregnancy"), default=False
    )
    has_at_mp = models.BooleanField(_("Work accident or occupational disease (AT/MP)"), default=False)

    # Minors: holders of parental authority and their consent (DOMAIN.md §3).
    guardian_1_name = models.CharField(_("first holder of parental authority"), max_length=200, blank=True)
    guardian_1_consent_on = models.DateField(_("first holder's consent date"), null=True, blank=True)
    guardian_2_name = models.CharField(_("second holder of parental authority"), max_length=200, blank=True)
    guardian_2_consent_on = models.DateField(_("second holder's consent date"), null=True, blank=True)
    sole_holder_declared = models.BooleanField(
        _("The first holder declares being the sole holder of parental authority"), default=False
    )

    # "last first", normalised by search_key: the search looks here, through a trigram index on
    # PostgreSQL (migration 0003). Kept up to date by save(); bulk writers set it themselves.
    search_name = models.CharField(max_length=SEARCH_NAME_LENGTH, editable=False, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        # The caseload by name, with each patient's key: the names of a caseload's patients are one index
        # range, read without the table (the dashboard's lists join it, the patient list pages it).
        indexes = [models.Index(fields=["psychologist", "last_name", "first_name"], include=["id"],
                                name="patient_caseload_names_idx")]
        verbose_name = _("patient")

    def __str__(self):
        return f"{self.last_name.upper()} {self.first_name}"

    def save(self, *args, **kwargs):
        self.search_name = search_key(f"{self.last_name} {self.first_name}")[:SEARCH_NAME_LENGTH]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"last_name", "first_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def age_on(self, day):
        return rules.age_on(self.birth_date, day)

    def is_minor_on(self, day):
        return self.age_on(day) < rules.rules_on_or_first(day).adult_age

    @property
    def has_parental_consent(self):
        return self.has_parental_consent_on(None)

    def has_parental_consent_on(self, day):
        """Both holders consented by `day`, or one who declared being the sole holder (policy, §3)."""

        def consented(name, consent_on):
            return bool(name and consent_on and (day is None or consent_on <= day))

        first = consented(self.guardian_1_name, self.guardian_1_consent_on)
        second = consented(self.guardian_2_name, self.guardian_2_consent_on)
        return (first and second) or (first and self.sole_holder_declared)

    def tiers_payant_reasons(self):
        flags = [
            (self.has_css, "CSS"),
            (self.has_ame, "AME"),
            (self.has_ald, "ALD"),
            (self.maternity_from_sixth_month, _("maternity")),
            (self.has_at_mp, "AT/MP"),
        ]
        return [label for flag, label in flags if flag]


class DeclaredSessions(models.Model):
    """Reimbursed sessions the patient declares done elsewhere in a calendar year (DOMAIN.md §4)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="declared_sessions")
    # The patient's psychologist, copied: the dashboard finds a year's declarations of one caseload
    # through an index, without reading every patient of it.
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveSmallIntegerField(_("number of sessions"))
    included_evaluation = models.BooleanField(_("an evaluation session was among them"), default=False)
    source = models.CharField(_("source"), max_length=200)
    declared_on = models.DateField(_("declared on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "declared_on"]
        indexes = [models.Index(fields=["patient", "year"]), models.Index(fields=["psychologist", "year"])]
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="declared_count_positive")]

    def __str__(self):
        return f"{self.year}: {self.count}"

    def save(self, *args, **kwargs):
        if self.psychologist_id is None:
            self.psychologist_id = self.patient.psychologist_id
        super().save(*args, **kwargs)


class PathwayStatus(models.TextChoices):
    AWAITING_EVALUATION = "awaiting_evaluation", _("Awaiting evaluation")
    IN_CARE = "in_care", _("In care")
    EXCLUDED = "excluded", _("Not eligible")
    REORIENTED = "reoriented", _("Reoriented")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (PathwayStatus.AWAITING_EVALUATION, PathwayStatus.IN_CARE)


class EntryMode(models.TextChoices):
    DIRECT = "direct", _("Direct access")
    REFERRAL = "referral", _("Referral letter")


class CloseReason(models.TextChoices):
    COMPLETED = "completed", _("Care completed")
    IMPROVED_EARLY = "improved_early", _("Improved before the planned end")
    PATIENT_STOPPED = "patient_stopped", _("Patient stopped")
    REORIENTED = "reoriented", _("Reoriented")
    CAP_REACHED = "cap_reached", _("Annual cap reached")
    MOVED = "moved", _("Patient moved")


STORED_BY_THE_DATABASE = ("last_held_on", "reimbursed_followups_held")


def referral_scan_path(pathway, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"referrals/{pathway.psychologist_id}/{uuid.uuid4()}.{extension}"


class Pathway(ChoiceLabels, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pathways"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pathways")
    status = models.CharField(
        _("status"), max_length=30, choices=PathwayStatus.choices,
        default=PathwayStatus.AWAITING_EVALUATION,
    )
    entry_mode = models.CharField(_("entry mode"), max_length=20, choices=EntryMode.choices)
    referrer_kind = models.CharField(
        _("referrer"), max_length=20, choices=rules.REFERRER_KIND_CHOICES, blank=True
    )
    referrer_name = models.CharField(_("referrer's name"), max_length=200, blank=True)
    referral_date = models.DateField(_("letter date"), null=True, blank=True)
    referral_scan = models.FileField(
        _("scan of the letter"), upload_to=referral_scan_path, storage=private_storage, blank=True
    )
    opened_on = models.DateField(_("opened on"))
    care_reason = models.CharField(_("reason for care"), max_length=40, blank=True)
    planned_followups = models.PositiveSmallIntegerField(_("planned follow-ups"), null=True, blank=True)
    eligibility_answers = models.JSONField(default=dict, blank=True)
    exclusion_reasons = models.JSONField(default=list, blank=True)
    orientation = models.TextField(_("orientation"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=30, choices=CloseReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by the database from the pathway's sessions (pathway/stored_counts.py), never written here.
    last_held_on = models.DateField(null=True, editable=False)
    reimbursed_followups_held = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        indexes = [
            models.Index(fields=["psychologist", "status"]),
            # A caseload's open pathways with what the dashboard's lists show of them, from the index alone:
            # the largest caseload's 176 open pathways no longer read its 2,099 pathways' rows.
            models.Index(fields=["psychologist"], include=["id", "status", "opened_on", "planned_followups", "patient",
                                                           "last_held_on", "reimbursed_followups_held"],
                         condition=Q(status__in=ACTIVE_STATUSES), name="pathway_open_idx"),
        ]
        constraints = [
            # A returning patient gets a new pathway, never two running at once.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_pathway_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(entry_mode="direct")
                | (~Q(referrer_kind="") & ~Q(referrer_name="") & Q(referral_date__isnull=False)),
                name="referral_pathway_has_its_letter",
            ),
        ]

    def __str__(self):
        return f"{self.patient} — {self.get_status_display()}"

    def save(self, *args, **kwargs):
        # An instance read before a session was recorded holds stale counts: an update never writes them.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [field.name for field in self._meta.concrete_fields
                                       if not field.primary_key and field.name not in STORED_BY_THE_DATABASE]
        super().save(*args, **kwargs)

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES


class SessionKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")
    FOLLOWUP = "followup", _("Follow-up")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")


class SessionStatus(models.TextChoices):
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class Billing(models.TextChoices):
    REIMBURSED = "reimbursed", _("Reimbursed (Mon soutien psy)")
    OUT_OF_SCHEME = "out_of_scheme", _("Out of scheme")


# The sessions the annual cap counts (DOMAIN.md §4): reimbursed and held. Written once: the cap's
# count (services/cap.py), the stored counts' triggers (stored_counts.py) and counts_towards_cap read it.
CAP_COUNTED = {"billing": Billing.REIMBURSED, "status": SessionStatus.HELD}


class CareSession(ChoiceLabels, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No single-column indexes on the keys: the (key, date, ...) indexes below serve those lookups.
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="sessions", db_index=False)
    # Denormalised from the pathway: the annual cap is counted per patient, across pathways.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions", db_index=False)
    # Denormalised too: the dashboard reads one psychologist's sessions of a week or a year through
    # one index range, however many pathways the psychologist has.
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    billing = models.CharField(
        _("billing"), max_length=20, choices=Billing.choices, default=Billing.REIMBURSED
    )
    date = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=20, choices=SessionMode.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices)
    out_of_scheme_fee = models.DecimalField(
        _("fee (out of scheme)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    private_note = models.TextField(_("private note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "created_at"]
        # Covering indexes (extra key columns, which SQLite takes too): the annual cap, a pathway's last
        # session and follow-ups, and a psychologist's year are counted from the index alone.
        indexes = [
            models.Index(fields=["patient", "date", "billing", "status", "kind"], name="pathway_car_patient_date_idx"),
            models.Index(fields=["pathway", "date", "status", "kind", "billing"], name="pathway_car_pathway_date_idx"),
            models.Index(fields=["psychologist", "date", "patient", "billing", "status", "mode"],
                         name="pathway_car_psy_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="evaluation", mode="video"), name="evaluation_is_in_person"
            ),
            models.CheckConstraint(
                condition=Q(billing="reimbursed", out_of_scheme_fee__isnull=True)
                | Q(billing="out_of_scheme", out_of_scheme_fee__isnull=False),
                name="only_out_of_scheme_sessions_have_a_free_fee",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.psychologist_id is None:
            self.psychologist_id = self.pathway.psychologist_id
        super().save(*args, **kwargs)

    @property
    def is_reimbursed(self):
        return self.billing == Billing.REIMBURSED

    @property
    def counts_towards_cap(self):
        return all(getattr(self, field) == value for field, value in CAP_COUNTED.items())

    def fee_split(self):
        if not self.is_reimbursed:
            return None
        return rules.fee_split(
            self.date,
            is_evaluation=self.kind == SessionKind.EVALUATION,
            is_video=self.mode == SessionMode.VIDEO,
            tiers_payant=bool(self.patient.tiers_payant_reasons()),
        )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The pathway history is append-only.")

    def delete(self):
        raise ValidationError("The pathway history is append-only.")


class PathwayEvent(ChoiceLabels, models.Model):
    """Append-only history: every transition and every session change (who, when, what)."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Pathway opened")
        EVALUATED = "evaluated", _("Evaluation held")
        TRANSITION = "transition", _("Status changed")
        SESSION_RECORDED = "session_recorded", _("Session recorded")
        SESSION_UPDATED = "session_updated", _("Session changed")
        FOLLOWUPS_PLANNED = "followups_planned", _("Planned follow-ups changed")
        CLOSED = "closed", _("Pathway closed")
        DOCUMENT_ISSUED = "document_issued", _("Document issued")
        CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
        DOCUMENT_RELEASED = "document_released", _("Document released to the doctor")

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    from_status = models.CharField(max_length=30, choices=PathwayStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=PathwayStatus.choices, blank=True)
    session = models.ForeignKey(
        CareSession, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    details = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("The pathway history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The pathway history is append-only.")


# --- Counts the database keeps (pathway/stored_counts.py) ------------------------------------------
#
# Triggers on the sessions and the declared sessions keep these rows in step, in the transaction
# that writes them; the dashboard reads them instead of counting a whole caseload. The annual cap is
# still counted from the session rows themselves, under the patient's lock (services/cap.py).


class PatientYearCount(models.Model):
    """A patient's reimbursed sessions of a calendar year: held here, and declared done elsewhere."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+", db_index=False)
    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    year = models.PositiveSmallIntegerField()
    used = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "year"], name="patient_year_count_unique")]
        indexes = [models.Index(fields=["psychologist", "year", "-used"], include=["patient"],
                                name="patient_year_count_used_idx")]

    def __str__(self):
        return f"{self.year}: {self.used}"


class CaseloadMonthCount(models.Model):
    """A psychologist's reimbursed sessions held in a month, and how many of them by video."""

    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    sessions = models.IntegerField()
    video = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["psychologist", "year", "month"],
                                               name="caseload_month_count_unique")]

    def __str__(self):
        return f"{self.month:02d}/{self.year}: {self.sessions}"


class PatientLatestStatus(models.Model):
    """The status of the patient's latest pathway (as Pathway's ordering ranks them), "" once none is
    left: the dashboard's chart counts a caseload's patients by it without reading their pathways."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True, related_name="+")
    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    status = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["psychologist", "status"], name="patient_latest_status_idx")]

    def __str__(self):
        return self.status


class CaseloadStatusCount(models.Model):
    """A psychologist's patients whose latest pathway has this status (PatientLatestStatus, counted):
    the dashboard's chart reads five rows, not one per patient."""

    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    status = models.CharField(max_length=30)
    patients = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["psychologist", "status"], name="caseload_status_count_unique")]

    def __str__(self):
        return f"{self.status}: {self.patients}"
