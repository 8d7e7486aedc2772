"""The psychologist's referral link as shown to them: its full address and its QR code."""

from functools import lru_cache

import segno
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import services


def link_url(request, link):
    return request.build_absolute_uri(reverse("referrals:refer", kwargs={"token": link.token}))


@lru_cache(maxsize=256)
def qr_svg(text, scale):
    # Drawn here as inline SVG: no third-party service ever sees the link. The SVG holds only
    # the modules' path, never the text itself, so it is safe to insert as is. Drawing one takes
    # ~7 ms and a link's address seldom changes: each is drawn once per process (a new token, a
    # new address, a new drawing).
    return mark_safe(segno.make(text, error="m").svg_inline(scale=scale, svgclass="qr-code", omitsize=False))


def link_context(request, scale=4):
    """The live link (created on first sight), its URL and its QR code, for the profile and the poster."""
    link = services.referral_link_get_or_create(request.user)
    url = link_url(request, link)
    return {"referral_link": link, "referral_url": url, "referral_qr": qr_svg(url, scale)}
