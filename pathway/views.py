"""Thin views: one owner-scoped lookup, one service call, one redirect (or the form again)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import charts, forms, rules, scans, selectors, services
from .decorators import psychologist_required
from .models import Billing, Patient
from .services import DomainError

PATIENTS_PER_PAGE = 25


def show_domain_error(form, error):
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@psychologist_required
def scheme_rules(request):
    return render(request, "pathway/rules.html", {
        "rule_sets": rules.RULE_SETS, "in_force": rules.rules_on(timezone.localdate()),
        "policies": rules.POLICIES, "cap_warning_from": rules.CAP_WARNING_FROM,
        "video_share_percent": round(100 * rules.VIDEO_SHARE_WARNING),
        "silent_weeks": rules.SILENT_PATHWAY_WEEKS,
    })


@psychologist_required
def dashboard(request):
    return render(request, "pathway/dashboard.html", selectors.dashboard(request.user, request.GET.get("page")))


@psychologist_required
def patient_list(request):
    search = forms.PatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = selectors.patient_page(request.user, query, request.GET.get("page"), PATIENTS_PER_PAGE)
    return render(request, "pathway/patient_list.html", {
        "search": search, "page": page, "query": query, "cap": selectors.current_cap(),
        "cap_warning_from": rules.CAP_WARNING_FROM,
    })


@psychologist_required
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = forms.PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.psychologist = request.user
        patient = form.save()
        messages.success(request, _("Patient created."))
        return redirect("pathway:patient_detail", patient_id=patient.pk)
    return render(request, "pathway/patient_form.html", {"form": form})


@psychologist_required
@require_http_methods(["GET", "POST"])
def patient_edit(request, patient_id):
    patient = selectors.patient_get(request.user, patient_id)
    form = forms.PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(form.save(commit=False), request.user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Patient saved."))
            return redirect("pathway:patient_detail", patient_id=patient.pk)
    return render(request, "pathway/patient_form.html", {"form": form, "patient": patient})


@psychologist_required
def patient_detail(request, patient_id):
    patient = selectors.patient_detail(request.user, patient_id)
    return render(request, "pathway/patient_detail.html", {
        "patient": patient, "cap": selectors.current_cap(), "cap_warning_from": rules.CAP_WARNING_FROM,
        "declared_form": forms.DeclaredSessionsForm(),
    })


@psychologist_required
@require_http_methods(["GET", "POST"])
def declared_sessions_add(request, patient_id):
    patient = selectors.patient_get(request.user, patient_id)
    form = forms.DeclaredSessionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declared_sessions_add(patient, request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Sessions declared elsewhere recorded."))
            return redirect("pathway:patient_detail", patient_id=patient.pk)
    return render(request, "pathway/declared_sessions_form.html", {"form": form, "patient": patient})


@psychologist_required
@require_http_methods(["GET", "POST"])
def pathway_open(request, patient_id):
    patient = selectors.patient_get(request.user, patient_id)
    form = forms.PathwayOpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pathway = services.pathway_open(patient, request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Pathway opened: hold the evaluation session."))
            return redirect("pathway:detail", pathway_id=pathway.pk)
    return render(request, "pathway/pathway_open.html", {
        "form": form, "patient": patient, "reform_on": rules.MON_SOUTIEN_PSY_2024.effective_from,
        "letter_months": rules.MONPSY_2022.referral_max_age_months,
    })


@psychologist_required
def pathway_detail(request, pathway_id):
    pathway, events, documents = selectors.pathway_page(request.user, pathway_id)
    return render(request, "pathway/pathway_detail.html", {
        "pathway": pathway, "patient": pathway.patient, "cap": selectors.current_cap(),
        "events": events, "documents": documents,
        "cap_warning_from": rules.CAP_WARNING_FROM,
        "allowed": services.allowed_transitions(pathway),
        "sessions": list(pathway.sessions.all()),
        "timeline": charts.timeline_for(pathway),
    })


@psychologist_required
@require_http_methods(["GET", "POST"])
def pathway_evaluate(request, pathway_id):
    pathway = selectors.pathway_get(request.user, pathway_id)
    patient = pathway.patient
    form = forms.EvaluationForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            pathway, assessment = services.pathway_evaluate(
                pathway, request.user, session=form.session_input(), answers=form.answers(),
                care_reason=form.cleaned_data["care_reason"],
                planned_followups=form.cleaned_data["planned_followups"],
                orientation=form.cleaned_data["orientation"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Evaluation recorded: %(status)s.") % {
                "status": pathway.get_status_display()})
            return redirect("pathway:detail", pathway_id=pathway.pk)
    return render(request, "pathway/evaluation_form.html", {
        "form": form, "pathway": pathway, "patient": patient,
        "usage": services.cap_usage(patient.pk, form_day(form)), "cap_warning_from": rules.CAP_WARNING_FROM,
        "evaluation_already_held": services.evaluation_held_in_year(patient.pk, form_day(form).year),
        "is_minor": patient.is_minor_on(form_day(form)),
        "lookback_years": rules.rules_on_or_first(form_day(form)).exclusion_lookback_years,
    })


def form_day(form):
    day = form.cleaned_data.get("date") if form.is_bound and hasattr(form, "cleaned_data") else None
    return day or timezone.localdate()


@psychologist_required
@require_http_methods(["GET", "POST"])
def session_record(request, pathway_id):
    form = forms.SessionForm(request.POST or None)
    cap_refused = False
    if request.method == "POST" and form.is_valid():
        try:
            # The pathway is read, and its owner checked, with the locks the recording takes.
            services.session_record_on_owned(
                request.user, pathway_id, kind=form.cleaned_data["kind"], data=form.session_input(),
                emergency_orientation=form.cleaned_data["emergency_orientation"],
            )
        except Patient.DoesNotExist:
            raise Http404 from None
        except DomainError as error:
            show_domain_error(form, error)
            cap_refused = error.code == "cap_reached"
        else:
            messages.success(request, _("Session recorded."))
            return redirect("pathway:detail", pathway_id=pathway_id)
    pathway = selectors.pathway_get(request.user, pathway_id)
    return render(request, "pathway/session_form.html", {
        "form": form, "pathway": pathway, "patient": pathway.patient, "cap_refused": cap_refused,
        "usage": services.cap_usage(pathway.patient_id, form_day(form)),
        "out_of_scheme": Billing.OUT_OF_SCHEME, "cap_warning_from": rules.CAP_WARNING_FROM,
    })


@psychologist_required
@require_http_methods(["GET", "POST"])
def session_edit(request, session_id):
    session = selectors.session_get(request.user, session_id)
    initial = {name: getattr(session, name) for name in (
        "date", "mode", "duration_minutes", "status", "billing", "out_of_scheme_fee", "private_note")}
    form = forms.SessionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session, request.user, form.session_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("pathway:detail", pathway_id=session.pathway_id)
    return render(request, "pathway/session_form.html", {
        "form": form, "pathway": session.pathway, "patient": session.patient, "session": session,
        "usage": services.cap_usage(session.patient_id, form_day(form), excluding_session_id=session.pk),
        "out_of_scheme": Billing.OUT_OF_SCHEME, "cap_warning_from": rules.CAP_WARNING_FROM,
    })


@psychologist_required
@require_http_methods(["GET", "POST"])
def pathway_plan_followups(request, pathway_id):
    pathway = selectors.pathway_get(request.user, pathway_id)
    form = forms.PlanFollowupsForm(request.POST or None, initial={"planned_followups": pathway.planned_followups})
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_plan_followups(pathway, request.user, form.cleaned_data["planned_followups"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Planned follow-ups saved."))
            return redirect("pathway:detail", pathway_id=pathway.pk)
    return render(request, "pathway/simple_form.html", {
        "form": form, "pathway": pathway, "title": _("Planned follow-up sessions")})


@psychologist_required
@require_http_methods(["GET", "POST"])
def pathway_close(request, pathway_id):
    pathway = selectors.pathway_get(request.user, pathway_id)
    form = forms.CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_close(pathway, request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Pathway closed."))
            return redirect("pathway:detail", pathway_id=pathway.pk)
    return render(request, "pathway/simple_form.html", {
        "form": form, "pathway": pathway, "title": _("Close the pathway")})


@psychologist_required
@never_cache
def referral_scan(request, pathway_id):
    pathway = selectors.pathway_get(request.user, pathway_id)
    if not pathway.referral_scan:
        raise Http404
    try:
        scan = pathway.referral_scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return scans.scan_response(scan, f"courrier-{pathway.pk}")
