from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from referrals import links

from . import sessions, two_factor
from .forms import DoctorProfileForm, ProfileForm, TwoFactorCodeForm


def home_url(user):
    # Doctors have no caseload here: their page lists the referrals they sent.
    return resolve_url(settings.LOGIN_REDIRECT_URL if user.is_psychologist else "referrals:gp_portal")


def next_url(request):
    """Where to go once the second factor is given: the page first asked for, if it is one of ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return home_url(request.user)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_url(self.request.user)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer while a username or an address is locked (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


@login_required
def profile(request):
    form_class = ProfileForm if request.user.is_psychologist else DoctorProfileForm
    form = form_class(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        for warning in form.warnings:
            messages.warning(request, warning)
        messages.success(request, _("Profile saved."))
        return redirect("accounts:profile")
    # A psychologist's profile also carries their referral link (created the first time it is shown).
    link = links.link_context(request) if request.user.is_psychologist else {}
    security = {"two_factor_on": request.user.is_verified(),
                "recovery_codes_left": two_factor.recovery_codes_left(request.user)}
    return render(request, "accounts/profile.html", {"form": form, **link, **security})


# --- Two-factor login ------------------------------------------------------------------------------


def with_next(url_name, request):
    return reverse(url_name) + "?" + urlencode({"next": next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if two_factor.confirmed_device(request.user) and not request.user.is_verified():
        # Replacing the authenticator needs the current one: a stolen password alone must not do it.
        return redirect(with_next("accounts:two_factor_verify", request))
    device = two_factor.device_pending(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.device_confirm(request.user, device, form.cleaned_data["code"])
        if codes is not None:
            update_session_auth_hash(request, request.user)  # this session survives; the others end
            otp_login(request, device)
            request.session[two_factor.REQUIRED_SESSION_KEY] = True
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url(request),
                                                                    "first_time": True})
        form.add_error("code", _("This code is wrong or has expired: check that the phone is on time, "
                                 "then type the current code."))
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_text(device),
        "next": next_url(request),
    })


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect(with_next("accounts:two_factor_setup", request))
    if request.user.is_verified():
        return redirect(next_url(request))
    form = TwoFactorCodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        problem = two_factor.verify_problem(device, code)
        if problem is None:
            request.session.cycle_key()  # a new session key for the session that now holds both factors
            otp_login(request, device)
            if not two_factor.is_totp_code(code):
                messages.warning(request, _("You logged in with a recovery code; %(left)s left. Make new ones "
                                            "from your profile if you are running out.")
                                 % {"left": two_factor.recovery_codes_left(request.user)})
            return redirect(next_url(request))
        form.add_error("code", problem)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url(request)})


def verified_required(request):
    """The recovery codes and the switch-off need the second factor given in this session."""
    if not request.user.is_verified():
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    verified_required(request)
    if request.method == "POST":
        codes = two_factor.recovery_codes_create(request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:profile")})
    return render(request, "accounts/recovery_codes_regenerate.html",
                  {"left": two_factor.recovery_codes_left(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request):
    """A doctor may turn the second factor off again; a psychologist may not."""
    if request.user.is_psychologist:
        raise Http404
    verified_required(request)
    if request.method == "POST":
        two_factor.device_remove(request.user)
        request.session[two_factor.REQUIRED_SESSION_KEY] = False
        messages.success(request, _("Two-step login is off."))
        return redirect("accounts:profile")
    return render(request, "accounts/two_factor_disable.html")


# --- Password and sessions -------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session; the others end with the old password
        messages.success(self.request, _("Password changed. Your other sessions have ended."))
        return response


@login_required
@require_POST
def logout_everywhere(request):
    sessions.sessions_end_everywhere(request.user)
    logout(request)
    messages.success(request, _("You are logged out on every device, this one included."))
    return redirect("accounts:login")
