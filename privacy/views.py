"""Thin views: the access journal, the patient's whole file (JSON, PDF) and its erasure."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from documents.pdf import render_pdf
from pathway.decorators import psychologist_required
from pathway.services import DomainError

from . import erasure, export, forms, retention, selectors
from .journal import journal_csv_response, patient_label
from .trail import client_ip

ENTRIES_PER_PAGE = 50


def journal_page(request, form):
    page = None
    if form.is_valid():
        entries = selectors.journal_entries(request.user, **form.filters())
        page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        chosen = form.chosen_patient
        names = {chosen.pk: str(chosen)} if chosen else selectors.patient_names(
            request.user, {entry.patient_id for entry in page.object_list})
        page.object_list = [named(entry, names) for entry in page.object_list]
    return render(request, "privacy/journal.html", {
        "form": form, "page": page, "retention_days": settings.ACCESS_LOG_RETENTION_DAYS})


def named(entry, names):
    entry.patient_label = patient_label(entry, names)
    return entry


@psychologist_required
@never_cache
def journal(request):
    return journal_page(request, forms.JournalFilterForm(request.GET, request.user))


@psychologist_required
@never_cache
def journal_csv(request):
    form = forms.JournalFilterForm(request.GET, request.user)
    if not form.is_valid():
        return journal_page(request, form)
    entries = selectors.journal_entries(request.user, **form.filters())
    return journal_csv_response(entries, selectors.patient_names(request.user),
                                f"journal-acces-{timezone.localdate():%Y-%m-%d}.csv")


def attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@psychologist_required
@never_cache
def export_json(request, patient_id):
    patient = selectors.patient_file(request.user, patient_id)
    return attachment(export.patient_file_json(patient), "application/json; charset=utf-8",
                      export.file_name(patient, "json"))


@psychologist_required
@never_cache
def export_pdf(request, patient_id):
    patient = selectors.patient_file(request.user, patient_id)
    html = render_to_string("privacy/patient_file.html", {
        "patient": patient, "psychologist": patient.psychologist, "for_pdf": True, "exported_at": timezone.now(),
    }, request=request)
    return attachment(render_pdf(html, request.build_absolute_uri("/")), "application/pdf",
                      export.file_name(patient, "pdf"))


@psychologist_required
@require_http_methods(["GET", "POST"])
def patient_erase(request, patient_id):
    patient = selectors.patient_for_erasure(request.user, patient_id)
    verdict = erasure.erasure_verdict(patient)
    form = forms.ErasureForm(request.POST or None, patient=patient)
    if request.method == "POST" and verdict.allowed and form.is_valid():
        try:
            erasure.patient_erase(request.user, patient.pk, ip=client_ip(request), path=request.path)
        except DomainError as error:  # care recorded meanwhile: the rule said no under the lock
            form.add_error(None, error.message)
        else:
            request.access_logged = True  # the erasure's own trace is written: the patient is gone
            messages.success(request, _("The patient's file was erased."))
            return redirect("pathway:patient_list")
    return render(request, "privacy/erase.html", {
        "patient": patient, "verdict": verdict, "form": form, "never_cared": erasure.NEVER_CARED,
        "rules": retention.rules_on(timezone.localdate()),
    })
