import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.identifiers import rpps_passes_luhn
from pathway.forms import OLDEST_BIRTH_DATE, DateInput, not_in_future
from pathway.models import Sex

from . import selectors
from .models import DeclineReason, Referral, ReferrerProfession
from .services import minimum_age_problem

HONEYPOT_FIELD = "homepage"
ADELI_PATTERN = re.compile(r"(\d{2}|2[AB])\d{7}")  # department (2A/2B for Corsica), then 7 digits
phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,30}$", _("Give a phone number: digits, spaces, dots or a leading +.")
)


def compact_number(value):
    return re.sub(r"[\s.-]", "", value or "").upper()


def professional_number_problem(number):
    """RPPS: 11 digits. ADELI: 9 characters. Which one is told by the length (DOMAIN.md §8)."""
    if len(number) == 11 and number.isdigit():
        return None
    if len(number) == 9 and ADELI_PATTERN.fullmatch(number):
        return None
    return _("Give your RPPS number (11 digits) or your ADELI number (9 characters).")


def check_digit_fails(number):
    # Both numbers end with a Luhn key; a failure is a warning the sender may override (§8).
    return number.isdigit() and len(number) in (9, 11) and not rpps_passes_luhn(number)


class ProfessionalNumberMixin:
    """A professional number whose failed check digit asks for a confirmation instead of a refusal."""

    number_field = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and check_digit_fails(compact_number(self.data.get(self.add_prefix(self.number_field)))):
            self.fields["confirm_number"] = forms.BooleanField(
                label=_("This number is right: send it as typed"), required=False
            )

    def clean_number(self):
        number = compact_number(self.cleaned_data.get(self.number_field))
        if problem := professional_number_problem(number):
            raise forms.ValidationError(problem)
        return number

    def clean(self):
        data = super().clean()
        number = data.get(self.number_field)
        if number and check_digit_fails(number) and not data.get("confirm_number"):
            self.add_error(self.number_field, _(
                "This number fails the check-digit test: check it. If it is right, tick the box below."
            ))
        return data


def limit_text(form, limits):
    """Text columns have no length of their own: cap what a public form accepts."""
    for name, limit in limits.items():
        form.fields[name].validators.append(MaxLengthValidator(limit))
        form.fields[name].widget.attrs["maxlength"] = limit


class ReferralForm(ProfessionalNumberMixin, forms.ModelForm):
    number_field = "referrer_number"
    TEXT_LIMITS = {"referrer_address": 500, "reason": 3000, "clinical_context": 10000,
                   "psychotropic_treatment": 1000}

    referrer_number = forms.CharField(label=_("RPPS or ADELI number"), max_length=20)
    suicide_risk = forms.BooleanField(label=_("Suicide risk, or any psychiatric emergency"), required=False)
    homepage = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Referral
        fields = [
            "referrer_last_name", "referrer_first_name", "referrer_profession", "referrer_number",
            "referrer_address", "referrer_phone", "referrer_email",
            "patient_last_name", "patient_first_name", "patient_birth_date", "patient_phone", "patient_email",
            "reason", "clinical_context", "psychotropic_treatment", "psychotropic_started_on",
            "screen_psychiatric_ald", "screen_psychiatric_follow_up", "screen_severe_disorder",
        ]
        widgets = {
            "patient_birth_date": DateInput(),
            "psychotropic_started_on": DateInput(),
            "referrer_address": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "clinical_context": forms.Textarea(attrs={"rows": 6}),
            "psychotropic_treatment": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "clinical_context": _("Clinical context (accompanying letter)"),
            "psychotropic_treatment": _("Current psychotropic treatment (drug, dose)"),
        }
        help_texts = {
            "patient_birth_date": _("dd/mm/yyyy, the year in 4 digits."),
            "psychotropic_treatment": _("Leave empty if none."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_text(self, self.TEXT_LIMITS)
        for name in ("referrer_phone", "patient_phone"):
            self.fields[name].validators.append(phone_validator)

    @property
    def is_automated(self):
        """A human never fills the hidden field; a form-filling robot does."""
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    @property
    def reports_suicide_risk(self):
        return bool(getattr(self, "cleaned_data", {}).get("suicide_risk"))

    def clean_referrer_number(self):
        return self.clean_number()

    def clean_patient_birth_date(self):
        birth_date = not_in_future(self.cleaned_data["patient_birth_date"], _("The birth date is in the future."))
        if birth_date < OLDEST_BIRTH_DATE:
            raise forms.ValidationError(_("Check the birth date: the year has 4 digits (e.g. 1985)."))
        if problem := minimum_age_problem(birth_date, timezone.localdate()):
            raise forms.ValidationError(problem)
        return birth_date

    def clean_psychotropic_started_on(self):
        return not_in_future(self.cleaned_data.get("psychotropic_started_on"))

    def clean(self):
        data = super().clean()
        if not data.get("referrer_phone") and not data.get("referrer_email") \
                and not self.errors.keys() & {"referrer_phone", "referrer_email"}:
            self.add_error("referrer_phone", _("Give a phone number or an email, so that the psychologist can "
                                               "reach you."))
        started_on = data.get("psychotropic_started_on")
        if data.get("psychotropic_treatment") and not started_on and "psychotropic_started_on" not in self.errors:
            self.add_error("psychotropic_started_on", _("Give the date the treatment started."))
        birth_date = data.get("patient_birth_date")
        if started_on and birth_date and started_on < birth_date:
            self.add_error("psychotropic_started_on", _("The treatment cannot start before the birth date."))
        return data

    def referral_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def referrer_initial(user):
    """A doctor's own account fills in who they are; nothing else is ever prefilled."""
    profile = getattr(user, "referrer_profile", None)
    return {
        "referrer_last_name": user.last_name, "referrer_first_name": user.first_name,
        "referrer_profession": profile.profession if profile else "",
        "referrer_number": user.rpps or user.adeli, "referrer_address": user.practice_address,
        "referrer_phone": user.phone, "referrer_email": user.email,
    }


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.birth_date:%d/%m/%Y})"


class AcceptForm(forms.Form):
    NEW, EXISTING = "new", "existing"

    target = forms.ChoiceField(
        label=_("Patient"), widget=forms.RadioSelect, initial=NEW,
        choices=[(NEW, _("Create a new patient from the referral")),
                 (EXISTING, _("Link to one of my existing patients"))],
    )
    sex = forms.ChoiceField(label=_("Sex (for a new patient)"), choices=[("", "—")] + Sex.choices, required=False)
    patient = PatientChoiceField(label=_("Existing patient"), queryset=None, required=False,
                                 empty_label="—")
    opened_on = forms.DateField(label=_("Pathway opened on"), widget=DateInput())

    def __init__(self, *args, psychologist, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the psychologist's own patients: another's id is "not one of the choices".
        self.fields["patient"].queryset = selectors.patient_choices(psychologist)
        self.fields["opened_on"].initial = timezone.localdate()
        if suggested:
            self.fields["target"].initial = self.EXISTING
            self.fields["patient"].initial = suggested.pk

    def clean_opened_on(self):
        return not_in_future(self.cleaned_data["opened_on"])

    def clean(self):
        data = super().clean()
        if data.get("target") == self.NEW and not data.get("sex"):
            self.add_error("sex", _("Give the sex of the new patient."))
        if data.get("target") == self.EXISTING and not data.get("patient") and "patient" not in self.errors:
            self.add_error("patient", _("Choose the patient."))
        return data

    def service_arguments(self):
        data = self.cleaned_data
        if data["target"] == self.EXISTING:
            return {"opened_on": data["opened_on"], "patient": data["patient"]}
        return {"opened_on": data["opened_on"], "sex": data["sex"]}


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for declining"), choices=[("", "—")] + DeclineReason.choices)
    note = forms.CharField(label=_("Note to the referrer (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DoctorSignupForm(ProfessionalNumberMixin, forms.Form):
    number_field = "number"

    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    profession = forms.ChoiceField(label=_("Profession"), choices=ReferrerProfession.choices)
    number = forms.CharField(label=_("RPPS or ADELI number"), max_length=20)
    practice_address = forms.CharField(label=_("Practice address"), max_length=500,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, validators=[phone_validator])
    email = forms.EmailField(label=_("Email (your login)"), max_length=150)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        # The email becomes the login: it must also be a valid username (letters, digits and @ . + - _).
        try:
            get_user_model().username_validator(email)
        except forms.ValidationError:
            raise forms.ValidationError(_("This email holds characters a login cannot use: give another "
                                          "address.")) from None
        if get_user_model().objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("An account already exists with this email: log in instead."))
        return email

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""),
                                    first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def account_fields(self):
        names = ("last_name", "first_name", "profession", "number", "practice_address", "phone", "email")
        return {name: self.cleaned_data[name] for name in names} | {"password": self.cleaned_data["password1"]}
