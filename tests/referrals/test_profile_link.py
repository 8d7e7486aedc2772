"""The referral link on the psychologist's profile: its address, its QR code, its poster, its replacement."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from referrals.models import Referral, ReferralLink
from tests.auth import log_in
from tests.factories import ReferralLinkFactory

from .sending import refer_url, referral_form_data

pytestmark = pytest.mark.django_db


def live(psychologist):
    return ReferralLink.objects.get(psychologist=psychologist, revoked_at__isnull=True)


def test_the_profile_shows_the_full_link_and_its_qr_code(client_psy, psychologist):
    page = client_psy.get(reverse("accounts:profile")).content.decode()
    link = live(psychologist)
    assert f"http://testserver/adresser/{link.token}/" in page
    assert '<svg' in page and 'class="qr-code"' in page
    assert reverse("referrals:poster") in page
    assert "Remplacer le lien" in page
    assert "mèneront à une « page introuvable »" in page


def test_the_link_is_created_on_first_sight_and_kept_afterwards(client_psy, psychologist):
    client_psy.get(reverse("accounts:profile"))
    client_psy.get(reverse("referrals:poster"))
    client_psy.get(reverse("accounts:profile"))
    assert ReferralLink.objects.filter(psychologist=psychologist).count() == 1


def test_the_poster_carries_the_name_address_number_link_and_qr_code(client_psy, psychologist):
    psychologist.practice_address = "12 quai Saint-Vincent, 69001 Lyon"
    psychologist.save()
    response = client_psy.get(reverse("referrals:poster"))
    page = response.content.decode()
    assert response.templates[0].name == "referrals/poster.html"
    assert "Hélène DURAND, psychologue" in page
    assert "12 quai Saint-Vincent" in page and "RPPS 10003456786" in page
    assert f"http://testserver/adresser/{live(psychologist).token}/" in page
    assert 'class="qr-code"' in page and "css/print.css" in page


def test_replacing_the_link_makes_the_old_one_a_404_and_the_new_one_work(client_psy, psychologist):
    old = ReferralLinkFactory(psychologist=psychologist)

    response = client_psy.post(reverse("referrals:link_replace"), follow=True)

    new = live(psychologist)
    client = Client()
    assert new != old
    assert "Votre lien d'adressage a été remplacé" in html.unescape(response.content.decode())
    assert client.get(refer_url(old)).status_code == 404
    assert client.post(refer_url(old), referral_form_data()).status_code == 404
    assert client.get(refer_url(new)).status_code == 200
    assert client.post(refer_url(new), referral_form_data()).status_code == 302
    assert Referral.objects.get().link == new


def test_replacing_is_a_post_only(client_psy, psychologist):
    ReferralLinkFactory(psychologist=psychologist)
    assert client_psy.get(reverse("referrals:link_replace")).status_code == 405
    assert ReferralLink.objects.filter(psychologist=psychologist).count() == 1


def test_a_doctors_profile_has_no_referral_link(client, gp):
    log_in(client, gp)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Votre lien d'adressage" not in page
    assert not ReferralLink.objects.exists()


def test_a_link_s_qr_code_is_drawn_once_and_a_replaced_link_gets_its_own(client_psy, psychologist, monkeypatch):
    from referrals import links

    drawn = []
    make = links.segno.make
    monkeypatch.setattr(links.segno, "make", lambda text, **kwargs: drawn.append(text) or make(text, **kwargs))
    links.qr_svg.cache_clear()
    first = client_psy.get(reverse("accounts:profile")).content.decode()
    again = client_psy.get(reverse("accounts:profile")).content.decode()
    old_url = f"http://testserver/adresser/{live(psychologist).token}/"
    assert drawn == [old_url]
    assert first[first.index("<svg"):first.index("</svg>")] == again[again.index("<svg"):again.index("</svg>")]

    client_psy.post(reverse("referrals:link_replace"))
    replaced = client_psy.get(reverse("accounts:profile")).content.decode()
    assert drawn == [old_url, f"http://testserver/adresser/{live(psychologist).token}/"]
    assert replaced[replaced.index("<svg"):replaced.index("</svg>")] != first[first.index("<svg"):first.index("</svg>")]
    links.qr_svg.cache_clear()
