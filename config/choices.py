"""A field's choice label in one dictionary lookup.

Django's get_FOO_display() builds a dictionary of all the field's choices on every call, hashing each
lazy label, and hashing a lazy label translates it: about fifteen translations for one label, called
tens of times per page (the session table, the history, the timeline). Here each field's choices are
read once into a dictionary; its labels stay lazy, so each is still translated into the language
active when it is shown.
"""

from django.utils.encoding import force_str

_labels_by_field = {}


def choice_labels(field):
    labels = _labels_by_field.get(field)
    if labels is None:
        labels = _labels_by_field[field] = dict(field.flatchoices)
    return labels


class ChoiceLabels:
    """Mix into a model before models.Model: its get_FOO_display() methods answer as Django's do."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value (a list): Django's own path
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
