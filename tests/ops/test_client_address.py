"""The client's address behind TRUSTED_PROXY_COUNT proxies: what the referral form's address limit counts."""

import pytest
from django.test import RequestFactory

from config.client_address import client_address
from referrals import services
from referrals.models import Referral
from tests.factories import PsychologistFactory, ReferralFactory, ReferralLinkFactory
from tests.referrals.sending import refer_url, referral_form_data

PROXY = "10.0.0.2"


def address(forwarded_for=None, peer=PROXY):
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_address(RequestFactory().get("/", **headers))


def test_without_proxy_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert address("198.51.100.1", peer="203.0.113.7") == "203.0.113.7"


def test_behind_one_proxy_the_last_forwarded_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("203.0.113.7") == "203.0.113.7"
    # The client may send its own X-Forwarded-For: the proxy appends to it, the left part is not believed.
    assert address("198.51.100.1, 203.0.113.7") == "203.0.113.7"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address("198.51.100.1, 203.0.113.7, 10.0.0.1") == "203.0.113.7"


def test_ipv6_addresses_are_read_too(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("2001:db8::7") == "2001:db8::7"


@pytest.mark.parametrize("forwarded_for", [None, "", "not-an-address", "203.0.113.7:4711"])
def test_an_unusable_header_falls_back_to_the_peer(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(forwarded_for) == PROXY


def test_fewer_entries_than_proxies_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address("203.0.113.7") == PROXY


@pytest.mark.django_db
def test_the_referral_form_limits_each_client_behind_the_proxy_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    link = ReferralLinkFactory(psychologist=PsychologistFactory())
    ReferralFactory.create_batch(services.MAX_REFERRALS_PER_SENDER, link=ReferralLinkFactory(),
                                 sender_fingerprint=services.sender_fingerprint("203.0.113.7"))

    def send(forwarded_for):
        return client.post(refer_url(link), referral_form_data(), REMOTE_ADDR=PROXY,
                           HTTP_X_FORWARDED_FOR=forwarded_for)

    assert send("203.0.113.7").status_code == 429
    assert send("203.0.113.8").status_code == 302
    assert Referral.objects.get(link=link).sender_fingerprint == services.sender_fingerprint("203.0.113.8")
