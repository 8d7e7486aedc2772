"""What a referrer types into the public form, and where they send it."""

from datetime import date

from django.urls import reverse
from django.utils import timezone


def day(value):
    return value.strftime("%d/%m/%Y")


def refer_url(link):
    return reverse("referrals:refer", kwargs={"token": link.token})


def letter_url(referral):
    return reverse("referrals:letter", kwargs={"token": referral.link.token, "reference": referral.reference})


def referral_form_data(**changes):
    data = {
        "referrer_last_name": "Leroy", "referrer_first_name": "Anne", "referrer_profession": "gp",
        "referrer_number": "10003456786", "referrer_address": "3 rue des Lilas, 69003 Lyon",
        "referrer_phone": "04 78 00 00 00", "referrer_email": "",
        "patient_last_name": "Martin", "patient_first_name": "Julie", "patient_birth_date": "17/05/1990",
        "patient_phone": "06 12 34 56 78", "patient_email": "julie.martin@example.org",
        "reason": "Anxiété persistante depuis un changement de poste.",
        "clinical_context": "Troubles du sommeil, pas d'idées suicidaires.",
        "psychotropic_treatment": "", "psychotropic_started_on": "",
        "homepage": "",
    }
    data.update(changes)
    return data


def years_ago(years, today=None):
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return date(today.year - years, 2, 28)
