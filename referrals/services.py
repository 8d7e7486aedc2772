"""The referral workflow: the psychologist's link, the public submission, accepting and declining.

Each action is atomic and raises pathway's DomainError with the French message to show. Accepting
locks the referral row, so that two clicks (or two tabs) open one pathway, never two.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathway import rules
from pathway.models import EntryMode, Patient
from pathway.services import DomainError, pathway_open
from pathway.services.errors import fmt

from .models import Referral, ReferralLink, ReferralStatus, ReferrerProfession, ReferrerProfile

# Abuse limits of the public form: security policy, not rules of the scheme. Counted in the database
# on the referrals received in a sliding window, so they hold across processes and restarts.
RATE_WINDOW = timedelta(hours=1)
MAX_REFERRALS_PER_LINK = 20
MAX_REFERRALS_PER_SENDER = 5
# The sender's browser may reread its own printable letter this long, and only its last few.
LETTER_READABLE_FOR = timedelta(hours=1)
LETTERS_KEPT_IN_SESSION = 5


class RateLimited(DomainError):
    """Too many referrals through this link or from this address: answer 429, create nothing."""


def sender_fingerprint(remote_addr):
    """A keyed hash of the sender's address: enough to count, useless to find who sent it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (remote_addr or "").encode(), hashlib.sha256).hexdigest()


def minimum_age_problem(birth_date, day):
    min_age = rules.rules_on_or_first(day).min_age
    if rules.age_on(birth_date, day) < min_age:
        return _("Mon soutien psy is open from the age of %(age)s: this patient is younger.") % {"age": min_age}
    return None


def lock_user(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def live_link(psychologist):
    return ReferralLink.objects.filter(psychologist=psychologist, revoked_at__isnull=True).first()


@transaction.atomic
def referral_link_get_or_create(psychologist):
    if not psychologist.is_psychologist:
        raise DomainError(_("Only a psychologist has a referral link."), code="not_psychologist")
    link = live_link(psychologist)
    if link is None:
        # Two first visits at once: the user row makes them queue, the second finds the first's link.
        lock_user(psychologist)
        link = live_link(psychologist) or ReferralLink.objects.create(psychologist=psychologist)
    return link


@transaction.atomic
def referral_link_replace(psychologist):
    """Revoke the live link (it then answers 404) and create a new one."""
    if not psychologist.is_psychologist:
        raise DomainError(_("Only a psychologist has a referral link."), code="not_psychologist")
    lock_user(psychologist)
    ReferralLink.objects.filter(psychologist=psychologist, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return ReferralLink.objects.create(psychologist=psychologist)


def check_rate_limits(link, fingerprint):
    since = timezone.now() - RATE_WINDOW
    if Referral.objects.filter(link=link, received_at__gte=since).count() >= MAX_REFERRALS_PER_LINK:
        raise RateLimited(_("Too many referrals were sent through this link in the last hour."),
                          code="rate_limited_link")
    if Referral.objects.filter(sender_fingerprint=fingerprint, received_at__gte=since).count() \
            >= MAX_REFERRALS_PER_SENDER:
        raise RateLimited(_("Too many referrals were sent from this connection in the last hour."),
                          code="rate_limited_sender")


@transaction.atomic
def referral_submit(link, fields, *, fingerprint, sent_by=None):
    """Record a referral received through a live link. `fields` are the Referral's own fields."""
    # The link row serialises concurrent submissions, so the count below cannot be overtaken.
    link = ReferralLink.objects.select_for_update().filter(pk=link.pk, revoked_at__isnull=True).first()
    if link is None:
        raise DomainError(_("This referral link is no longer valid."), code="link_revoked")
    check_rate_limits(link, fingerprint)
    if problem := minimum_age_problem(fields["patient_birth_date"], timezone.localdate()):
        raise DomainError(problem, field="patient_birth_date", code="too_young")
    if sent_by is not None and sent_by.is_psychologist:
        sent_by = None  # only a doctor's account follows its referrals
    return Referral.objects.create(
        link=link, psychologist_id=link.psychologist_id, sent_by=sent_by, sender_fingerprint=fingerprint,
        **fields,
    )


def lock_pending_referral(referral, actor):
    """Re-read the referral under FOR UPDATE: a second accept waits here, then finds it decided."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk, psychologist=actor)
    if referral.status == ReferralStatus.ACCEPTED:
        raise DomainError(_("This referral was already accepted."), code="already_decided")
    if referral.status == ReferralStatus.DECLINED:
        raise DomainError(_("This referral was already declined."), code="already_decided")
    return referral


def new_patient_from(referral, actor, sex):
    is_gp = referral.referrer_profession == ReferrerProfession.GP
    return Patient.objects.create(
        psychologist=actor, last_name=referral.patient_last_name, first_name=referral.patient_first_name,
        birth_date=referral.patient_birth_date, sex=sex, phone=referral.patient_phone,
        email=referral.patient_email,
        # A GP who refers is most likely the treating doctor; anyone else is not assumed to be.
        treating_doctor_name=referral.referrer_display_name[:200] if is_gp else "",
        treating_doctor_address=referral.referrer_address if is_gp else "",
    )


@transaction.atomic
def referral_accept(referral, actor, *, opened_on, patient=None, sex=None):
    """Open a pathway by referral, for `patient` (one of the actor's) or a new patient made from it."""
    referral = lock_pending_referral(referral, actor)
    received_on = timezone.localdate(referral.received_at)
    if opened_on < received_on:
        raise DomainError(_("The pathway cannot open before the referral was received (%(day)s).")
                          % {"day": fmt(received_on)}, field="opened_on")
    if patient is None:
        patient = new_patient_from(referral, actor, sex)
    elif patient.psychologist_id != actor.pk:
        raise DomainError(_("Choose one of your own patients."), field="patient", code="not_your_patient")
    pathway = pathway_open(
        patient, actor, entry_mode=EntryMode.REFERRAL, opened_on=opened_on,
        referrer_kind=referral.referrer_kind, referrer_name=referral.referrer_display_name[:200],
        referral_date=received_on,
    )
    referral.status = ReferralStatus.ACCEPTED
    referral.patient = patient
    referral.pathway = pathway
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "patient", "pathway", "decided_at"])
    return referral


@transaction.atomic
def referral_decline(referral, actor, *, reason, note=""):
    referral = lock_pending_referral(referral, actor)
    referral.status = ReferralStatus.DECLINED
    referral.decline_reason = reason
    referral.decline_note = note
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "decline_reason", "decline_note", "decided_at"])
    return referral


@transaction.atomic
def doctor_account_create(*, email, password, first_name, last_name, profession, number,
                          practice_address, phone=""):
    """A referrer's own account: optional, it lets them follow what they sent and read what they receive."""
    user_model = get_user_model()
    user = user_model(
        username=email, email=email, first_name=first_name, last_name=last_name, role=user_model.Role.GP,
        rpps=number if len(number) == 11 else "", adeli=number if len(number) == 9 else "",
        practice_address=practice_address, phone=phone,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same email signed up a moment ago
        raise DomainError(_("An account already exists with this email: log in instead."), field="email") from None
    ReferrerProfile.objects.create(user=user, profession=profession)
    return user
