"""Reads of referrals: owner-scoped, each page a fixed number of queries.

The public door reads only a live link and, for the sender's own browser, the letter it has just
sent; everything else is the psychologist's (or the sending doctor's) alone: a stranger gets 404.
"""

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from documents.models import Document
from pathway.models import Patient, search_key

from .models import Referral, ReferralLink, ReferralStatus
from .services import LETTER_READABLE_FOR


def live_link_get(token):
    return get_object_or_404(
        ReferralLink.objects.filter(revoked_at__isnull=True).select_related("psychologist"), token=token
    )


def sent_letter_get(token, reference, referral_ids):
    """The letter of a referral this browser sent less than an hour ago, through this live link."""
    return get_object_or_404(
        Referral.objects.select_related("psychologist", "link"),
        link__token=token, link__revoked_at__isnull=True, reference=reference, id__in=referral_ids,
        received_at__gte=timezone.now() - LETTER_READABLE_FOR,
    )


def referral_inbox(psychologist):
    """Pending referrals first, then the decided ones; the latest first in each."""
    return (
        Referral.objects.filter(psychologist=psychologist)
        .annotate(decided=Case(When(status=ReferralStatus.PENDING, then=Value(0)), default=Value(1),
                               output_field=IntegerField()))
        .order_by("decided", "-received_at", "id")
    )


def referral_get(psychologist, referral_id):
    return get_object_or_404(
        Referral.objects.filter(psychologist=psychologist).select_related("patient", "pathway", "sent_by"),
        pk=referral_id,
    )


def folded(name):
    """The patient search's form of a name (Hélène = HELENE = helene), hyphens read as spaces."""
    return search_key(name).replace("-", " ").strip()


def matching_patients(psychologist, referral):
    """The psychologist's own patients with the referral's birth date and last name."""
    same_birth_date = Patient.objects.filter(psychologist=psychologist, birth_date=referral.patient_birth_date)
    wanted = folded(referral.patient_last_name)
    return [patient for patient in same_birth_date if folded(patient.last_name) == wanted]


def patient_choices(psychologist):
    return Patient.objects.filter(psychologist=psychologist).order_by("last_name", "first_name", "id")


def referrals_sent_by(user):
    return (
        Referral.objects.filter(sent_by=user)
        .select_related("psychologist", "pathway")
        .order_by("-received_at", "id")
    )


def documents_released_to(user):
    return (
        Document.objects.filter(released_to=user, released_at__isnull=False)
        .select_related("pathway__patient", "psychologist")
        .order_by("-released_at", "id")
    )
