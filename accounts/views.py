from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from referrals import links

from .forms import DoctorProfileForm, ProfileForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Doctors have no caseload here: their page lists the referrals they sent.
        if not self.request.user.is_psychologist:
            return resolve_url("referrals:gp_portal")
        return super().get_default_redirect_url()


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
    return render(request, "accounts/profile.html", {"form": form, **link})
