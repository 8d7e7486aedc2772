"""get_FOO_display() read from a dictionary built once per field (config/choices.py): same answers as Django's."""

from django.apps import apps
from django.db import models
from django.utils import translation

from config.choices import ChoiceLabels
from pathway.models import CareSession, Pathway, PathwayStatus, SessionKind

MODELS = [model for model in apps.get_models() if issubclass(model, ChoiceLabels)]


def test_the_models_whose_labels_pages_show_answer_through_the_dictionary():
    names = {model.__name__ for model in MODELS}
    assert {"Pathway", "CareSession", "PathwayEvent", "Document", "Referral", "AccessLogEntry"} <= names


def test_every_choice_of_every_field_gets_django_s_own_label_in_each_language():
    compared = 0
    for language in ("fr", "en"):
        with translation.override(language):
            for model in MODELS:
                for field in model._meta.concrete_fields:
                    if not field.choices:
                        continue
                    for value in [value for value, _label in field.flatchoices] + ["not-a-choice", ""]:
                        instance = model(**{field.attname: value})
                        ours = getattr(instance, f"get_{field.name}_display")()
                        assert ours == models.Model._get_FIELD_display(instance, field), (model, field.name, value)
                        compared += 1
    assert compared > 100


def test_a_label_is_translated_into_the_language_active_when_shown():
    pathway = Pathway(status=PathwayStatus.IN_CARE)
    with translation.override("fr"):
        assert pathway.get_status_display() == "En cours de suivi"
    with translation.override("en"):
        assert pathway.get_status_display() == "In care"
    with translation.override("fr"):
        assert CareSession(kind=SessionKind.EVALUATION).get_kind_display() == "Évaluation"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Pathway(status="archived").get_status_display() == "archived"
