from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.fr import nir as stdnum_nir

from . import eligibility, rules, scans
from .models import (
    Billing,
    CloseReason,
    DeclaredSessions,
    EntryMode,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
)
from .services import SessionInput

OLDEST_BIRTH_DATE = date(1900, 1, 1)


class DateInput(forms.DateInput):
    """dd/mm/yyyy whatever the browser's locale (a native date picker follows the browser's)."""

    def __init__(self, attrs=None):
        super().__init__(format="%d/%m/%Y", attrs={
            "placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off",
            "pattern": r"\d{2}/\d{2}/\d{4}", **(attrs or {}),
        })


def not_in_future(value, message=None):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message or _("This date is in the future."))
    return value


class PatientSearchForm(forms.Form):
    # A form field, not a raw GET value: it rejects NUL bytes that would reach the database.
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "last_name", "first_name", "birth_date", "sex", "nir", "phone", "email", "address",
            "treating_doctor_name", "treating_doctor_address",
            "has_css", "has_ame", "has_ald", "maternity_from_sixth_month", "has_at_mp",
            "guardian_1_name", "guardian_1_consent_on", "guardian_2_name", "guardian_2_consent_on",
            "sole_holder_declared",
        ]
        widgets = {
            "birth_date": DateInput(),
            "guardian_1_consent_on": DateInput(),
            "guardian_2_consent_on": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "treating_doctor_address": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "nir": _("15 characters, key included (Corsica: 2A or 2B). Optional."),
            "sole_holder_declared": _("Only for a minor whose first holder is the sole holder."),
        }

    def clean_birth_date(self):
        birth_date = not_in_future(self.cleaned_data["birth_date"], _("The birth date is in the future."))
        if birth_date < OLDEST_BIRTH_DATE:
            raise forms.ValidationError(_("Check the birth date: the year has 4 digits (e.g. 1985)."))
        return birth_date

    def clean_nir(self):
        value = stdnum_nir.compact(self.cleaned_data.get("nir", "")).upper()
        if not value:
            return ""
        if len(value) != 15:
            raise forms.ValidationError(_("The NIR has 15 characters (13 + a 2-digit key)."))
        try:
            return stdnum_nir.validate(value)
        except stdnum_errors.InvalidChecksum:
            raise forms.ValidationError(_("The NIR key does not match: check the number.")) from None
        except stdnum_errors.ValidationError:
            raise forms.ValidationError(
                _("This is not a valid NIR (check the department, 2A/2B for Corsica).")
            ) from None

    def clean_guardian_1_consent_on(self):
        return not_in_future(self.cleaned_data.get("guardian_1_consent_on"))

    def clean_guardian_2_consent_on(self):
        return not_in_future(self.cleaned_data.get("guardian_2_consent_on"))

    def clean(self):
        data = super().clean()
        for n in ("1", "2"):
            if data.get(f"guardian_{n}_consent_on") and not data.get(f"guardian_{n}_name"):
                self.add_error(f"guardian_{n}_name", _("Name the holder who consented."))
        if data.get("sole_holder_declared") and not data.get("guardian_1_name"):
            self.add_error("guardian_1_name", _("Name the sole holder of parental authority."))
        return data


class DeclaredSessionsForm(forms.ModelForm):
    class Meta:
        model = DeclaredSessions
        fields = ["year", "count", "included_evaluation", "source", "declared_on"]
        widgets = {"declared_on": DateInput()}
        help_texts = {"source": _("E.g. “relevé ameli”, the previous psychologist's statement.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["declared_on"].initial = today
        # The cap of the declared year, and what is already counted, are the service's to judge.
        self.fields["count"].widget.attrs.update(min=1, max=rules.CURRENT.annual_cap)

    def clean_declared_on(self):
        return not_in_future(self.cleaned_data["declared_on"])


class PathwayOpenForm(forms.Form):
    entry_mode = forms.ChoiceField(label=_("Entry"), choices=EntryMode.choices, widget=forms.RadioSelect,
                                   initial=EntryMode.DIRECT)
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput())
    referrer_kind = forms.ChoiceField(label=_("Referrer"), choices=[("", "—")] + rules.REFERRER_KIND_CHOICES,
                                      required=False)
    referrer_name = forms.CharField(label=_("Referrer's name"), max_length=200, required=False)
    referral_date = forms.DateField(label=_("Letter date"), widget=DateInput(), required=False)
    referral_scan = forms.FileField(label=_("Scan of the letter (PDF, JPEG or PNG, 10 MB at most)"),
                                    required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()

    def clean_opened_on(self):
        return not_in_future(self.cleaned_data["opened_on"])

    def clean_referral_date(self):
        return not_in_future(self.cleaned_data.get("referral_date"))

    def clean_referral_scan(self):
        scan = self.cleaned_data.get("referral_scan")
        if not scan:
            return scan
        if scan.size > settings.REFERRAL_SCAN_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        scan_type = scans.sniff(scan)
        if scan_type is None:
            raise forms.ValidationError(_("Only PDF, JPEG or PNG files are accepted."))
        extension = scans.name_extension(scan.name)
        if extension and extension not in scan_type.name_extensions:
            raise forms.ValidationError(
                _("This file is a %(kind)s, but its name ends in .%(extension)s: check that it is the right file.")
                % {"kind": scan_type.label, "extension": extension[:10]})
        # Stored under the extension of what it is: the name the browser sent is not kept.
        scan.name = f"courrier.{scan_type.extension}"
        return scan

    def clean(self):
        data = super().clean()
        if data.get("entry_mode") == EntryMode.REFERRAL:
            for name in ("referrer_kind", "referrer_name", "referral_date"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Required for a pathway opened with a referral letter."))
        return data


class SessionFieldsMixin(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=240,
                                          initial=45)
    billing = forms.ChoiceField(label=_("Billing"), choices=Billing.choices, initial=Billing.REIMBURSED)
    out_of_scheme_fee = forms.DecimalField(
        label=_("Fee, out of scheme (€)"), min_value=0, max_digits=7, decimal_places=2, required=False,
        help_text=_("Only for an out-of-scheme session, set by you; not counted in the annual cap."),
    )

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], _("A session cannot be dated in the future."))

    def clean(self):
        data = super().clean()
        if data.get("billing") == Billing.OUT_OF_SCHEME and data.get("out_of_scheme_fee") is None \
                and "out_of_scheme_fee" not in self.errors:
            self.add_error("out_of_scheme_fee", _("Set the fee of the out-of-scheme session."))
        return data

    def session_input(self, **overrides):
        data = self.cleaned_data
        values = {
            "date": data["date"], "mode": data.get("mode", SessionMode.IN_PERSON),
            "duration_minutes": data["duration_minutes"],
            "status": data.get("status", SessionStatus.HELD), "billing": data["billing"],
            "out_of_scheme_fee": data.get("out_of_scheme_fee"),
            "private_note": data.get("private_note", ""),
        }
        values.update(overrides)
        return SessionInput(**values)


WINDOW_CHOICES = [
    (eligibility.NO, _("No")),
    (eligibility.ONGOING, _("Yes, ongoing")),
    (eligibility.ENDED, _("Yes, ended on…")),
]
TREATMENT_CHOICES = [
    (eligibility.NO_TREATMENT, _("No psychotropic treatment")),
    (eligibility.ANTIDEPRESSANT, _("Antidepressant")),
    (eligibility.HYPNOTIC, _("Hypnotic or benzodiazepine")),
    (eligibility.ANTIEPILEPTIC_MOOD, _("Antiepileptic (bipolar or borderline patient)")),
    (eligibility.OTHER_PSYCHOTROPIC, _("Other psychotropic treatment")),
]
CARE_REASON_CHOICES = [
    ("anxiety_depression", _("Mild to moderate anxiety or depression")),
    ("substance_misuse", _("Tobacco, alcohol or cannabis misuse without dependence")),
    ("eating_disorder", _("Eating disorder without severity criteria")),
    ("child_distress", _("Child or adolescent: mild to moderate distress")),
]


def window_field(label):
    # Not required: the form shows an adult's windows or a minor's, never both, and an answer not
    # asked is "no" (eligibility reads a missing status as NO).
    return forms.ChoiceField(label=label, choices=WINDOW_CHOICES, initial=eligibility.NO,
                             widget=forms.RadioSelect, required=False)


class EvaluationForm(SessionFieldsMixin):
    care_reason = forms.ChoiceField(label=_("Reason for care"), choices=CARE_REASON_CHOICES)
    affiliated = forms.BooleanField(label=_("Affiliated to a social security scheme, or AME beneficiary"),
                                    required=False, initial=True)
    suicide_risk = forms.BooleanField(label=_("Suicide risk"), required=False)
    acute_decompensation = forms.BooleanField(label=_("Signs of acute psychiatric decompensation"),
                                              required=False)
    severe_anxiety_depression = forms.BooleanField(label=_("Severe anxiety or depression"), required=False)
    substance_dependence = forms.BooleanField(label=_("Dependence on a psychoactive substance"),
                                              required=False)
    severe_eating_disorder = forms.BooleanField(label=_("Eating disorder with severity signs"),
                                                required=False)
    # Adults
    ald_psy_status = window_field(_("Psychiatric long-term illness (ALD)"))
    ald_psy_ended_on = forms.DateField(label=_("ALD ended on"), widget=DateInput(), required=False)
    invalidity_status = window_field(_("Invalidity"))
    invalidity_ended_on = forms.DateField(label=_("Invalidity ended on"), widget=DateInput(), required=False)
    long_sick_leave_status = window_field(_("Long sick leave for a psychiatric reason"))
    long_sick_leave_ended_on = forms.DateField(label=_("Sick leave ended on"), widget=DateInput(),
                                               required=False)
    # Minors
    psychiatric_follow_up_status = window_field(_("Followed in (paedo)psychiatry"))
    psychiatric_follow_up_ended_on = forms.DateField(label=_("Follow-up ended on"), widget=DateInput(),
                                                     required=False)
    neurodevelopmental_disorder = forms.BooleanField(label=_("Neurodevelopmental disorder"), required=False)
    major_withdrawal = forms.BooleanField(label=_("Major withdrawal or inhibition"), required=False)
    severe_behaviour_disorder = forms.BooleanField(label=_("Severe behaviour disorder"), required=False)
    # Treatment
    treatment = forms.ChoiceField(label=_("Psychotropic treatment"), choices=TREATMENT_CHOICES,
                                  initial=eligibility.NO_TREATMENT)
    treatment_started_on = forms.DateField(label=_("Treatment started on"), widget=DateInput(), required=False)
    psychiatrist_opinion = forms.BooleanField(label=_("A psychiatrist's formal opinion favours inclusion"),
                                              required=False)
    psychiatrist_opinion_on = forms.DateField(label=_("Opinion dated"), widget=DateInput(), required=False)
    # Outcome
    planned_followups = forms.IntegerField(label=_("Planned follow-up sessions"), required=False,
                                           min_value=1, max_value=rules.CURRENT.max_followups)
    orientation = forms.CharField(
        label=_("Orientation (psychiatrist, CMP, emergency…)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
    )

    WINDOW_NAMES = ("ald_psy", "invalidity", "long_sick_leave", "psychiatric_follow_up")
    ANSWER_NAMES = (
        "affiliated", "suicide_risk", "acute_decompensation", "severe_anxiety_depression",
        "substance_dependence", "severe_eating_disorder", "neurodevelopmental_disorder", "major_withdrawal",
        "severe_behaviour_disorder", "treatment", "treatment_started_on", "psychiatrist_opinion",
        "psychiatrist_opinion_on",
    ) + tuple(f"{n}_{s}" for n in WINDOW_NAMES for s in ("status", "ended_on"))

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["date"].initial = timezone.localdate()
        self.fields["planned_followups"].help_text = _("From 1 to %(max)s under today's rules.") % {
            "max": rules.CURRENT.max_followups}
        self.fields["long_sick_leave_status"].label = _(
            "Sick leave of more than %(months)s months for a psychiatric reason"
        ) % {"months": rules.CURRENT.long_sick_leave_months}

    def clean(self):
        data = super().clean()
        for name in self.WINDOW_NAMES:
            if data.get(f"{name}_status") == eligibility.ENDED and not data.get(f"{name}_ended_on"):
                self.add_error(f"{name}_ended_on", _("Give the end date."))
            not_in_future_field(self, data, f"{name}_ended_on")
        treatment = data.get("treatment")
        if treatment in (eligibility.ANTIDEPRESSANT, eligibility.HYPNOTIC) and not data.get("treatment_started_on"):
            self.add_error("treatment_started_on", _("Give the date the treatment started."))
        not_in_future_field(self, data, "treatment_started_on")
        if data.get("psychiatrist_opinion") and not data.get("psychiatrist_opinion_on"):
            self.add_error("psychiatrist_opinion_on", _("Give the date of the psychiatrist's opinion."))
        return data

    def answers(self):
        return {name: self.cleaned_data.get(name) for name in self.ANSWER_NAMES}


def not_in_future_field(form, data, name):
    value = data.get(name)
    if value and value > timezone.localdate() and name not in form.errors:
        form.add_error(name, _("This date is in the future."))


class SessionForm(SessionFieldsMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, initial=SessionKind.FOLLOWUP,
                             help_text=_("An evaluation only to open a new calendar year."))
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices, initial=SessionMode.IN_PERSON)
    status = forms.ChoiceField(label=_("Status"), choices=SessionStatus.choices, initial=SessionStatus.HELD)
    private_note = forms.CharField(label=_("Private note"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    emergency_orientation = forms.CharField(
        label=_("Suicide risk or emergency found: orientation"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fill only in an emergency: the pathway then ends as reoriented."),
    )

    field_order = ["kind", "date", "mode", "duration_minutes", "status", "billing", "out_of_scheme_fee",
                   "private_note", "emergency_orientation"]

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("date"):
            self.fields["date"].initial = timezone.localdate()
        if editing:
            del self.fields["kind"]
            del self.fields["emergency_orientation"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == SessionKind.EVALUATION and data.get("mode") == SessionMode.VIDEO:
            self.add_error("mode", _("The evaluation session is held in person."))
        return data


class PlanFollowupsForm(forms.Form):
    planned_followups = forms.IntegerField(label=_("Planned follow-up sessions"), min_value=1,
                                           max_value=rules.CURRENT.max_followups)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CloseReason.choices)
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    orientation = forms.CharField(label=_("Orientation"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Required when the patient is reoriented."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()
