"""The client's address, also behind proxies: what the referral form's per-address limit counts."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The address of whoever sent the request, as the outermost trusted proxy saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    TRUSTED_PROXY_COUNT proxies in front of the app, the client is that many entries from the right.
    Anything to the left of it was written by the client and is not believed. Without a usable entry
    (fewer entries than proxies, not an address), the direct peer is used: at worst the limit counts
    the proxy, never an address the client chose.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return peer
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return peer
