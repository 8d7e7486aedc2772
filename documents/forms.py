from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathway.forms import DateInput, not_in_future

from .models import ConsentChannel, ConsentGiver, Document
from .services import FIELDS_BY_KIND

TEXT_MAX_LENGTH = 5000
WIDGETS = {
    "recipient_address": forms.Textarea(attrs={"rows": 2}),
    "reason_for_care": forms.Textarea(attrs={"rows": 2}),
    "evolution": forms.Textarea(attrs={"rows": 5}),
    "orientation_details": forms.Textarea(attrs={"rows": 2}),
    "body": forms.Textarea(attrs={"rows": 6}),
}
LABELS = {"recipient_name": _("Doctor"), "recipient_address": _("Doctor's address")}


class DocumentForm(forms.Form):
    """The fields of a draft, those of its kind only; the service saves them (and refuses once issued)."""

    def __init__(self, data=None, *, document):
        names = FIELDS_BY_KIND[document.kind]
        super().__init__(data, initial=model_to_dict(document, fields=names))
        self.fields.update(fields_for_model(Document, fields=names, widgets=WIDGETS, labels=LABELS))
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
                field.widget.attrs["maxlength"] = TEXT_MAX_LENGTH
        if "body" in self.fields and document.kind == "alert":
            self.fields["body"].help_text = _("Why psychiatric care seems needed.")


class ConsentForm(forms.Form):
    given_on = forms.DateField(label=_("Consent date"), widget=DateInput())
    given_by = forms.ChoiceField(label=_("Consented by"), choices=ConsentGiver.choices, widget=forms.RadioSelect)
    given_by_names = forms.CharField(
        label=_("Names of those who consented"), max_length=300, required=False,
        help_text=_("Leave empty to take the patient's name, or for a minor the holders of parental authority "
                    "recorded on the file."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices, widget=forms.RadioSelect)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["given_on"].initial = today
        self.fields["given_by"].initial = (
            ConsentGiver.PARENTAL_AUTHORITY if patient.is_minor_on(today) else ConsentGiver.PATIENT
        )

    def clean_given_on(self):
        return not_in_future(self.cleaned_data["given_on"], _("The consent date cannot be in the future."))
