"""The journal's labels, and the journal as a CSV file for Excel in French.

UTF-8 with a BOM (Excel reads the accents), `;` between cells (a French Excel's separator), times dd/mm/yyyy HH:MM.

A cell that starts like a formula (= + - @, or a tab or carriage return) gets a leading quote, so
a spreadsheet shows it as text and never runs it (CSV injection): a name is typed by users.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
ROWS_PER_FETCH = 2000


class Echo:
    """A file-like object that hands back what the csv writer writes, for a streamed response."""

    def write(self, value):
        return value


def safe_cell(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def headers():
    return [pgettext("access log", "Date"), pgettext("access log", "User"), pgettext("access log", "Action"),
            pgettext("access log", "Object"), pgettext("access log", "Object id"), pgettext("access log", "Patient"),
            pgettext("access log", "Page"), pgettext("access log", "IP address")]


def patient_label(entry, names):
    if entry.patient_id is None:
        return ""
    return names.get(entry.patient_id, _("erased or no longer in your caseload"))


def row(entry, names):
    return [timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M"), entry.actor_name, entry.get_action_display(),
            entry.get_object_type_display(), entry.object_id, patient_label(entry, names), entry.url_name,
            entry.ip or ""]


def lines(entries, names, language):
    # Streamed after the view returned: the request's language is set again for the labels.
    with translation.override(language):
        writer = csv.writer(Echo(), delimiter=";")
        yield BOM + writer.writerow([safe_cell(cell) for cell in headers()])
        for entry in entries.iterator(chunk_size=ROWS_PER_FETCH):
            yield writer.writerow([safe_cell(cell) for cell in row(entry, names)])


def journal_csv_response(entries, names, filename):
    response = StreamingHttpResponse(lines(entries, names, translation.get_language()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
