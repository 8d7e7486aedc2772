"""Thin views: the public referral door, the psychologist's inbox, the referring doctor's pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.client_address import client_address
from pathway import rules
from pathway.decorators import psychologist_required
from pathway.services import DomainError
from pathway.views import show_domain_error

from . import forms, links, selectors, services
from .decorators import doctor_required
from .models import ReferralStatus

REFERRALS_PER_PAGE = 25
SENT_SESSION_KEY = "referrals_sent"


def is_doctor(user):
    return user.is_authenticated and user.role == user.Role.GP


# The public door: anyone holding a live link, no account needed.


@require_http_methods(["GET", "POST"])
def refer(request, token):
    link = selectors.live_link_get(token)
    initial = forms.referrer_initial(request.user) if is_doctor(request.user) else None
    form = forms.ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST":
        is_valid = form.is_valid()
        if form.reports_suicide_risk:
            # An emergency is not a routine referral: nothing is sent, the sender is told whom to call.
            return render(request, "referrals/referral_urgent.html", {"link": link})
        if form.is_automated:
            messages.success(request, _("Your referral has been sent."))
            return redirect("referrals:refer", token=link.token)
        if is_valid:
            return submit(request, link, form)
    return form_page(request, link, form)


def form_page(request, link, form):
    return render(request, "referrals/referral_form.html", {
        "form": form, "link": link, "min_age": rules.rules_on_or_first(timezone.localdate()).min_age,
    })


def submit(request, link, form):
    try:
        referral = services.referral_submit(
            link, form.referral_fields(), fingerprint=services.sender_fingerprint(client_address(request)),
            sent_by=request.user if is_doctor(request.user) else None,
        )
    except services.RateLimited:
        return render(request, "referrals/rate_limited.html", {"link": link}, status=429)
    except DomainError as error:
        if error.code == "link_revoked":
            raise Http404 from None
        show_domain_error(form, error)
        return form_page(request, link, form)
    sent = [str(referral.pk)] + request.session.get(SENT_SESSION_KEY, [])
    request.session[SENT_SESSION_KEY] = sent[:services.LETTERS_KEPT_IN_SESSION]
    return redirect("referrals:letter", token=link.token, reference=referral.reference)


@require_GET
def sent_letter(request, token, reference):
    referral = selectors.sent_letter_get(token, reference, request.session.get(SENT_SESSION_KEY, []))
    rule_set = rules.rules_on_or_first(timezone.localdate(referral.received_at))
    return render(request, "referrals/referral_letter.html", {
        "referral": referral, "psychologist": referral.psychologist, "rule_set": rule_set,
        "amo_percent": round(100 * rule_set.amo_rate),
    })


# The psychologist's side.


@psychologist_required
def poster(request):
    return render(request, "referrals/poster.html", links.link_context(request, scale=10))


@psychologist_required
@require_POST
def link_replace(request):
    services.referral_link_replace(request.user)
    messages.success(request, _("Your referral link was replaced: the old one no longer works. Print the new "
                                "poster for your partners."))
    return redirect("accounts:profile")


@psychologist_required
def inbox(request):
    page = Paginator(selectors.referral_inbox(request.user), REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "referrals/inbox.html", {"page": page})


@psychologist_required
def detail(request, referral_id):
    return render_detail(request, selectors.referral_get(request.user, referral_id))


def render_detail(request, referral, accept_form=None, decline_form=None):
    pending = referral.status == ReferralStatus.PENDING
    matches = selectors.matching_patients(request.user, referral) if pending else []
    if pending and accept_form is None:
        suggested = matches[0] if len(matches) == 1 else None
        accept_form = forms.AcceptForm(psychologist=request.user, suggested=suggested)
    return render(request, "referrals/referral_detail.html", {
        "referral": referral, "matches": matches, "accept_form": accept_form,
        "decline_form": decline_form or forms.DeclineForm(),
        "number_check_fails": forms.check_digit_fails(referral.referrer_number),
    })


def decided_already(request, referral, error):
    messages.error(request, error.message)
    return redirect("referrals:detail", referral_id=referral.pk)


@psychologist_required
@require_http_methods(["GET", "POST"])
def accept(request, referral_id):
    referral = selectors.referral_get(request.user, referral_id)
    form = forms.AcceptForm(request.POST or None, psychologist=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_accept(referral, request.user, **form.service_arguments())
        except DomainError as error:
            if error.code == "already_decided":
                return decided_already(request, referral, error)
            show_domain_error(form, error)
        else:
            messages.success(request, _("Referral accepted: the pathway is open, hold the evaluation session."))
            return redirect("pathway:detail", pathway_id=referral.pathway_id)
    return render_detail(request, referral, accept_form=form if form.is_bound else None)


@psychologist_required
@require_http_methods(["GET", "POST"])
def decline(request, referral_id):
    referral = selectors.referral_get(request.user, referral_id)
    form = forms.DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_decline(referral, request.user, **form.cleaned_data)
        except DomainError as error:
            return decided_already(request, referral, error)
        messages.success(request, _("Referral declined."))
        return redirect("referrals:inbox")
    return render_detail(request, referral, decline_form=form if form.is_bound else None)


# The referring doctor's own account (optional).


@require_http_methods(["GET", "POST"])
def doctor_signup(request):
    if request.user.is_authenticated:
        return redirect("referrals:gp_portal" if is_doctor(request.user) else "accounts:profile")
    form = forms.DoctorSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.doctor_account_create(**form.account_fields())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            login(request, user, backend="accounts.request_reads.UserBackend")  # axes' backend comes first
            messages.success(request, _("Your account is ready: the referrals you send while logged in are "
                                        "listed here."))
            return redirect("referrals:gp_portal")
    return render(request, "referrals/doctor_signup.html", {"form": form})


@doctor_required
def gp_portal(request):
    page = Paginator(selectors.referrals_sent_by(request.user), REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "referrals/gp_portal.html", {
        "page": page, "documents": selectors.documents_released_to(request.user),
    })
