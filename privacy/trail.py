"""Writing a trace: who (id and name as it was), from which address, about which object."""

import ipaddress
from urllib.parse import urlsplit

from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import timezone

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


INSERTED_COLUMNS = ("at", "actor_id", "actor_name", "owner_id", "patient_id", "action", "object_type",
                    "object_id", "url_name", "path", "ip", "details")


def access_record(request, response, target, action):
    """One row, in one INSERT: the patient and the owner are subqueries on the object's own row.

    Plain SQL, prepared once per connection like the app's other statements: the ORM's INSERT with
    two subquery expressions cost about 4 ms to build and compile on every page of patient data."""
    value = object_kwargs(request, response, target.key.kwarg).get(target.key.kwarg)
    if value is None:
        return
    key, user = target.key, request.user
    object_id = key.db_id(value, connection)
    table, quote = AccessLogEntry._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(AccessLogEntry._meta.get_field(name).column) for name in INSERTED_COLUMNS)
    values = dict(at=timezone.now(), actor_id=user.pk, actor_name=display_name(user), action=action,
                  object_type=target.object_type, object_id=str(value), url_name=request.resolver_match.view_name,
                  path=request.path[:300], ip=client_ip(request), details={})
    params = [object_id if name in ("owner_id", "patient_id") else
              AccessLogEntry._meta.get_field(name).get_db_prep_save(values[name], connection)
              for name in INSERTED_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s, %s, {key.owner_sql(connection)}, "
            f"{key.patient_sql(connection)}, %s, %s, %s, %s, %s, %s, %s)", params)
