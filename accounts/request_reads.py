"""The two reads every signed-in request makes: its session, then its user with their TOTP devices.

Each is read by primary (or session) key with a fixed SQL statement that PostgreSQL prepares once
per connection, instead of an ORM query built and compiled on every request (about 0.5 ms each, for
0.05 ms of SQL). The user's TOTP devices come along with the user (one round trip, not two): the
second factor's device of the session is among them. They give what the ORM would: model instances
(`Model.from_db`, as the ORM builds them) or None. The session, the login backend and the OTP
middleware below use them with Django's and django-otp's own rules unchanged around them.
"""

from contextvars import ContextVar
from functools import lru_cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db as db_sessions
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from django_otp.middleware import OTPMiddleware

from config.model_rows import DEFAULT_ALIAS, column_set, fetch_rows


@lru_cache(maxsize=16)
def select_sql(model, key_column, vendor, later_than_column=None):
    """SELECT every concrete column of `model` by one key, and optionally `later_than_column > %s`."""
    quote = connections[DEFAULT_ALIAS].ops.quote_name
    sql = f"SELECT {column_set(model).select} FROM {quote(model._meta.db_table)} WHERE {quote(key_column)} = %s"
    return sql + (f" AND {quote(later_than_column)} > %s" if later_than_column else "")


@lru_cache(maxsize=4)
def user_with_devices_sql(user_model, device_model, vendor):
    """The user by primary key, with each of their devices (none: one row, the device's columns NULL)."""
    quote = connections[DEFAULT_ALIAS].ops.quote_name
    user_columns, device_columns = column_set(user_model, "u"), column_set(device_model, "d")
    user_key, device_owner = user_model._meta.pk.column, device_model._meta.get_field("user").column
    return (f"SELECT {user_columns.select}, {device_columns.select} FROM {quote(user_model._meta.db_table)} AS u "
            f"LEFT JOIN {quote(device_model._meta.db_table)} AS d ON d.{quote(device_owner)} = u.{quote(user_key)} "
            f"WHERE u.{quote(user_key)} = %s")


DEVICES_READ = "totp_devices_read"  # the user instance's attribute: their TOTP devices by primary key


def user_with_devices(user_model, pk):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    connection = connections[DEFAULT_ALIAS]
    key = user_model._meta.pk
    rows = fetch_rows(user_with_devices_sql(user_model, TOTPDevice, connection.vendor),
                      [key.get_db_prep_value(key.to_python(pk), connection)])
    if not rows:
        return None
    user, device_start = column_set(user_model, "u").take(rows[0], 0)
    devices = [column_set(TOTPDevice, "d").take(row, device_start, outer=True)[0] for row in rows]
    setattr(user, DEVICES_READ, {device.pk: device for device in devices if device is not None})
    return user


def instance_or_none(model, sql, params):
    rows = fetch_rows(sql, params)
    return column_set(model).instance(rows[0]) if rows else None


def by_pk(model, pk):
    connection = connections[DEFAULT_ALIAS]
    sql = select_sql(model, model._meta.pk.column, connection.vendor)
    return instance_or_none(model, sql, [model._meta.pk.get_db_prep_value(model._meta.pk.to_python(pk), connection)])


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions; only the read of the current session is a fixed statement."""

    def _get_session_from_db(self):
        if self.session_key is None:  # not a well-formed key (the setter refused it): no row has it
            self._session_key = None
            return None
        connection, model = connections[DEFAULT_ALIAS], self.model
        sql = select_sql(model, model._meta.pk.column, connection.vendor, model._meta.get_field("expire_date").column)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        session = instance_or_none(model, sql, [self.session_key, now])
        if session is None:
            self._session_key = None
        return session


class UserBackend(ModelBackend):
    """Django's ModelBackend; only the read of the signed-in user is a fixed statement."""

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        try:
            user = user_with_devices(user_model, user_id)
        except ValidationError:  # not a key of this model (to_python refused it): nobody
            return None
        return user if user is not None and self.user_can_authenticate(user) else None


verified_user = ContextVar("verified_user")


class DeviceMiddleware(OTPMiddleware):
    """django-otp's middleware; a TOTP device (every psychologist's) is taken from those read with the
    user (UserBackend), or read by a fixed statement for a user read otherwise. Any other kind of
    device, or a persistent id of another shape, goes through django-otp's own lookup. django-otp then
    checks the device's owner and confirmation as always (_finalize_device)."""

    def _verify_user_sync(self, request, user):
        token = verified_user.set(user)
        try:
            return super()._verify_user_sync(request, user)
        finally:
            verified_user.reset(token)

    def _device_from_persistent_id(self, persistent_id):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        label, _slash, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        if label == TOTPDevice._meta.label_lower and device_id.isdigit():
            read_with_user = getattr(verified_user.get(None), DEVICES_READ, None)
            if read_with_user is not None:  # none of them: not this user's device, refused as another's
                return read_with_user.get(int(device_id))
            return by_pk(TOTPDevice, int(device_id))
        return super()._device_from_persistent_id(persistent_id)
