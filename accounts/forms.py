from django import forms
from django.utils.translation import gettext_lazy as _

from pathway.forms import DateInput

from . import two_factor
from .identifiers import adeli_problem, rpps_passes_luhn
from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "rpps", "adeli", "practice_address", "phone",
                  "is_conventioned", "convention_date"]
        widgets = {
            "practice_address": forms.Textarea(attrs={"rows": 3}),
            "convention_date": DateInput(),
        }
        help_texts = {
            "rpps": _("11 digits."),
            "adeli": _("9 digits, profession code 93."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True

    def clean_adeli(self):
        adeli = self.cleaned_data["adeli"].replace(" ", "")
        if adeli and (problem := adeli_problem(adeli)):
            raise forms.ValidationError(problem)
        return adeli

    def clean_rpps(self):
        return self.cleaned_data["rpps"].replace(" ", "")

    def clean(self):
        data = super().clean()
        if not data.get("rpps") and not data.get("adeli") and not self.errors.keys() & {"rpps", "adeli"}:
            self.add_error("rpps", _("Give your RPPS number, your ADELI number, or both."))
        if data.get("is_conventioned") and not data.get("convention_date"):
            self.add_error("convention_date", _("Give the date of your convention with the CPAM."))
        return data

    @property
    def warnings(self):
        rpps = self.cleaned_data.get("rpps") if self.is_valid() else None
        if rpps and not rpps_passes_luhn(rpps):
            return [_("Your RPPS number fails the Luhn check: please check it (it was saved).")]
        return []


class DoctorProfileForm(forms.ModelForm):
    """A doctor's own details: their RPPS/ADELI number, checked at sign-up, is not edited here."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "practice_address", "phone"]
        widgets = {"practice_address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True

    warnings = ()


class TwoFactorCodeForm(forms.Form):
    """The code from the authenticator app (or, where `recovery` is allowed, a recovery code)."""

    code = forms.CharField(label=_("Code"), max_length=40, strip=True)

    def __init__(self, *args, recovery=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        field = self.fields["code"]
        field.widget.attrs.update({"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"})
        if recovery:
            field.label = _("Code from your app, or a recovery code")
            field.help_text = _("6 digits, changing every 30 seconds; or one of your recovery codes "
                                "(xxxx-xxxx-xxxx-xxxx).")
        else:
            field.label = _("Code shown by the app")
            field.help_text = _("6 digits, changing every 30 seconds.")
            field.widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not self.recovery and not two_factor.is_totp_code(code):
            raise forms.ValidationError(_("Type the 6 digits shown by the app."))
        return code
