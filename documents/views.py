"""Thin views: one owner-scoped lookup, one service call, one redirect (or the page again).

The action endpoints act on POST only, but look the document up before checking the method: a
stranger gets 404 whatever the method, and a GET (a reload, a bookmark) goes back to the page.
Print and PDF serve the owner and the doctor's account the document was released to, no one else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pathway import selectors as pathway_selectors
from pathway.decorators import psychologist_required
from pathway.services import DomainError

from . import forms, printing, selectors, services
from .models import ConsentChannel
from .pdf import pdf_response


def show_domain_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def render_detail(request, document, form=None, consent_form=None):
    patient = document.pathway.patient
    return render(request, "documents/detail.html", {
        "document": document, "pathway": document.pathway, "patient": patient,
        "form": form or forms.DocumentForm(document=document),
        "consent_form": consent_form or forms.ConsentForm(patient=patient),
        "versions": selectors.document_versions(document),
        "preview": printing.preview_body(document),
        "gp_account": services.gp_account(document.pathway),
        "in_app": ConsentChannel.IN_APP,
    })


def form_with_error(document, error):
    form = forms.DocumentForm(forms.DocumentForm(document=document).initial, document=document)
    form.is_valid()
    show_domain_error(form, error)
    return form


def to_detail(document):
    return redirect("documents:detail", document_id=document.pk)


@psychologist_required
@require_http_methods(["GET", "POST"])
def document_create(request, pathway_id, kind):
    pathway = pathway_selectors.pathway_get(request.user, pathway_id)
    if request.method == "GET":
        return redirect("pathway:detail", pathway_id=pathway.pk)
    try:
        document = services.document_draft(pathway, request.user, kind)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("pathway:detail", pathway_id=pathway.pk)
    messages.success(request, _("Draft created: complete it, then issue it."))
    return to_detail(document)


@psychologist_required
@require_http_methods(["GET", "POST"])
def document_detail(request, document_id):
    document = selectors.document_get(request.user, document_id)
    form = forms.DocumentForm(request.POST or None, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(document, request.user, **form.cleaned_data)
        except DomainError as error:
            if not error.field:  # issued meanwhile: the form is gone from the page, say it above
                messages.error(request, error.message)
                return to_detail(document)
            show_domain_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return to_detail(document)
    return render_detail(request, document, form=form)


@psychologist_required
@require_http_methods(["GET", "POST"])
def document_issue(request, document_id):
    document = selectors.document_get(request.user, document_id)
    if request.method == "GET":
        return to_detail(document)
    try:
        services.document_issue(document, request.user)
    except DomainError as error:
        if error.field:  # a field to fill in: shown next to it, in the draft's form
            return render_detail(request, document, form=form_with_error(document, error))
        messages.error(request, error.message)
        return to_detail(document)
    messages.success(request, _("Document issued: its text is now fixed."))
    return to_detail(document)


@psychologist_required
@require_http_methods(["GET", "POST"])
def document_correct(request, document_id):
    document = selectors.document_get(request.user, document_id)
    if request.method == "GET":
        return to_detail(document)
    try:
        correction = services.document_correct(document, request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return to_detail(document)
    messages.success(request, _("New version drafted: correct it, then issue it."))
    return to_detail(correction)


@psychologist_required
@require_http_methods(["GET", "POST"])
def consent_record(request, document_id):
    document = selectors.document_get(request.user, document_id)
    if request.method == "GET":
        return to_detail(document)
    form = forms.ConsentForm(request.POST, patient=document.pathway.patient)
    if form.is_valid():
        try:
            services.consent_record(document, request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return to_detail(document)
    return render_detail(request, document, consent_form=form)


@psychologist_required
@require_http_methods(["GET", "POST"])
def document_release(request, document_id):
    document = selectors.document_get(request.user, document_id)
    if request.method == "GET":
        return to_detail(document)
    try:
        services.document_release(document, request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Document marked as sent to the doctor."))
    return to_detail(document)


@login_required
@never_cache
def document_print(request, document_id):
    document = selectors.document_for_reader(request.user, document_id)
    return HttpResponse(printing.page_html(document, request))


@login_required
@never_cache
def document_pdf(request, document_id):
    document = selectors.document_for_reader(request.user, document_id)
    return pdf_response(printing.page_html(document, request, for_pdf=True), request,
                        printing.pdf_filename(document))


@psychologist_required
@never_cache
def statement(request, patient_id, year):
    return render(request, "documents/statement.html", selectors.statement(request.user, patient_id, year))


@psychologist_required
@never_cache
def statement_pdf(request, patient_id, year):
    context = selectors.statement(request.user, patient_id, year) | {"for_pdf": True}
    html = render_to_string("documents/statement.html", context, request=request)
    return pdf_response(html, request, f"releve-seances-{year}-{slugify(context['patient'].last_name)}.pdf")
