"""The one domain error: a rule of the scheme refused the action, with the French message to show."""

from django.utils.formats import date_format


class DomainError(Exception):
    """A rule of the scheme refused the action; `message` is what the user reads, in French."""

    def __init__(self, message, field=None, code=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def fmt(day):
    return date_format(day, "SHORT_DATE_FORMAT")
