"""Writing a trace: who (id and name as it was), from which address, about which object."""

import ipaddress
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from config.client_address import client_address

from .models import AccessLogEntry


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind trusted proxies theirs (config.client_address)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def display_name(user):
    return (user.get_full_name() or user.get_username())[:300]


def object_kwargs(request, response, kwarg):
    """The URL's own parameters; for a creation (no id yet), those of the page it redirects to."""
    kwargs = request.resolver_match.kwargs
    if kwarg in kwargs or not response.has_header("Location"):
        return kwargs
    try:
        return resolve(urlsplit(response["Location"]).path).kwargs
    except Resolver404:
        return {}


def access_record(request, response, target, action):
    """One row, in one INSERT: the patient and the owner are subqueries on the object's own row."""
    value = object_kwargs(request, response, target.key.kwarg).get(target.key.kwarg)
    if value is None:
        return None
    user = request.user
    return AccessLogEntry.objects.create(
        actor_id=user.pk, actor_name=display_name(user),
        owner_id=target.key.owner_expression(value), patient_id=target.key.patient_expression(value),
        action=action, object_type=target.object_type, object_id=str(value),
        url_name=request.resolver_match.view_name, path=request.path[:300], ip=client_ip(request),
    )
