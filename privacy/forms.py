from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pathway.forms import DateInput
from pathway.models import Patient, search_key

DAY_FORMAT = ["%d/%m/%Y"]  # 4-digit years only (PITFALLS: "%d/%m/%y" reads 05/06/45 as 2045)
DATE_ERRORS = {"invalid": _("Enter a date as dd/mm/yyyy.")}


class JournalFilterForm(forms.Form):
    """The journal's filters, from the query string: one patient (the link from their page) or the
    patients whose name or NIR matches the words typed, and a date range.

    No list of the patients to choose from: a caseload of 2,000 would make a page of 2,000 options."""

    patient = forms.UUIDField(required=False, widget=forms.HiddenInput,
                              error_messages={"invalid": _("This patient is not in your caseload.")})
    name = forms.CharField(label=_("Patient"), required=False, max_length=100,
                           help_text=_("Last name, first name or NIR; leave empty for all your patients."))
    start = forms.DateField(label=pgettext_lazy("journal filter", "From"), required=False,
                            input_formats=DAY_FORMAT, widget=DateInput, error_messages=DATE_ERRORS)
    end = forms.DateField(label=pgettext_lazy("journal filter", "To"), required=False,
                          input_formats=DAY_FORMAT, widget=DateInput, error_messages=DATE_ERRORS)

    def __init__(self, data, psychologist):
        super().__init__(data)
        self.psychologist = psychologist
        self.chosen_patient = None

    def clean_patient(self):
        patient_id = self.cleaned_data["patient"]
        if patient_id is not None:
            self.chosen_patient = Patient.objects.filter(psychologist=self.psychologist, pk=patient_id).only(
                "id", "last_name", "first_name").first()
            if self.chosen_patient is None:
                raise forms.ValidationError(_("This patient is not in your caseload."))
        return patient_id

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def filters(self):
        """The selector's arguments; the form must be valid."""
        return {"patient_id": self.cleaned_data["patient"], "name": self.cleaned_data["name"],
                "start": self.cleaned_data["start"], "end": self.cleaned_data["end"]}


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
