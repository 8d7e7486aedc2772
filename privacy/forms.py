import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pathway.forms import DateInput
from pathway.models import search_key

DAY_FORMAT = ["%d/%m/%Y"]  # 4-digit years only (PITFALLS: "%d/%m/%y" reads 05/06/45 as 2045)
DATE_ERRORS = {"invalid": _("Enter a date as dd/mm/yyyy.")}


class JournalFilterForm(forms.Form):
    """The journal's filters, from the query string: a patient among one's own, a date range."""

    patient = forms.TypedChoiceField(label=_("Patient"), required=False, coerce=uuid.UUID, empty_value=None)
    start = forms.DateField(label=pgettext_lazy("journal filter", "From"), required=False,
                            input_formats=DAY_FORMAT, widget=DateInput, error_messages=DATE_ERRORS)
    end = forms.DateField(label=pgettext_lazy("journal filter", "To"), required=False,
                          input_formats=DAY_FORMAT, widget=DateInput, error_messages=DATE_ERRORS)

    def __init__(self, data, patients):
        # Choices from the list already loaded for the select: validating a choice costs no query.
        super().__init__(data)
        self.fields["patient"].choices = [("", _("All my patients"))] + [(str(p.pk), str(p)) for p in patients]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def filters(self):
        """The selector's arguments; the form must be valid."""
        return {"patient_id": self.cleaned_data["patient"], "start": self.cleaned_data["start"],
                "end": self.cleaned_data["end"]}


class ErasureForm(forms.Form):
    last_name = forms.CharField(label=_("Type the patient's last name to confirm"), max_length=100)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_last_name(self):
        typed = self.cleaned_data["last_name"]
        # Accents and capitals aside: "lefevre" confirms "Lefèvre".
        if search_key(typed.strip()) != search_key(self.patient.last_name.strip()):
            raise forms.ValidationError(_("This is not the patient's last name: type it as shown above."))
        return typed
