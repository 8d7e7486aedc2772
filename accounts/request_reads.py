"""The one read every signed-in request makes: its session, with its user and their TOTP devices.

The session row carries its user's key (accounts.LoginSession), so one fixed SQL statement, which
PostgreSQL prepares once per connection, reads the session, the user and the user's devices: one
round trip, where Django's session, its login backend and django-otp each made their own ORM query
(about 0.5 ms each to build and compile, for 0.05 ms of SQL). They give what the ORM would: model
instances (`Model.from_db`, as the ORM builds them) or None. The session store, the authentication
middleware, the login backend and the OTP middleware below hand them on, with Django's and
django-otp's own rules unchanged around them: the backend takes the user read with the session only
when it is the user the session names, and Django still checks the session's hash against it.
"""

from contextvars import ContextVar
from functools import lru_cache

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db as db_sessions
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_otp.middleware import OTPMiddleware

from config.model_rows import DEFAULT_ALIAS, column_set, fetch_rows


@lru_cache(maxsize=16)
def select_sql(model, key_column, vendor):
    """SELECT every concrete column of `model` by one key."""
    quote = connections[DEFAULT_ALIAS].ops.quote_name
    return f"SELECT {column_set(model).select} FROM {quote(model._meta.db_table)} WHERE {quote(key_column)} = %s"


def user_and_devices_parts(user_model, device_model):
    """The user's and their devices' columns (aliases u and d), the join of the devices to the user (a
    LEFT JOIN: no device, one row with its columns NULL), and the user's key column, quoted."""
    quote = connections[DEFAULT_ALIAS].ops.quote_name
    user_key = f"u.{quote(user_model._meta.pk.column)}"
    device_owner = quote(device_model._meta.get_field("user").column)
    columns = f"{column_set(user_model, 'u').select}, {column_set(device_model, 'd').select}"
    return columns, f"LEFT JOIN {quote(device_model._meta.db_table)} AS d ON d.{device_owner} = {user_key}", user_key


@lru_cache(maxsize=4)
def user_with_devices_sql(user_model, device_model, vendor):
    """The user by primary key, with each of their devices."""
    quote = connections[DEFAULT_ALIAS].ops.quote_name
    columns, devices, user_key = user_and_devices_parts(user_model, device_model)
    return f"SELECT {columns} FROM {quote(user_model._meta.db_table)} AS u {devices} WHERE {user_key} = %s"


DEVICES_READ = "totp_devices_read"  # the user instance's attribute: their TOTP devices by primary key


def user_with_devices(user_model, pk):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    connection = connections[DEFAULT_ALIAS]
    key = user_model._meta.pk
    rows = fetch_rows(user_with_devices_sql(user_model, TOTPDevice, connection.vendor),
                      [key.get_db_prep_value(key.to_python(pk), connection)])
    return user_and_devices(user_model, rows, 0) if rows else None


def user_and_devices(user_model, rows, start):
    """The user of the rows' columns from `start`, their devices (the columns after) as DEVICES_READ;
    None when no user was joined."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, device_start = column_set(user_model, "u").take(rows[0], start, outer=True)
    if user is None:
        return None
    devices = [column_set(TOTPDevice, "d").take(row, device_start, outer=True)[0] for row in rows]
    setattr(user, DEVICES_READ, {device.pk: device for device in devices if device is not None})
    return user


@lru_cache(maxsize=4)
def session_with_user_sql(session_model, user_model, device_model, vendor):
    """The unexpired session by key, with its user and each of the user's devices (LEFT JOINs: a
    session without a user, or a user without a device, is one row whose other columns are NULL)."""
    quote = connections[DEFAULT_ALIAS].ops.quote_name
    columns, devices, user_key = user_and_devices_parts(user_model, device_model)
    session_owner = quote(session_model._meta.get_field("user").column)
    return (f"SELECT {column_set(session_model, 's').select}, {columns} "
            f"FROM {quote(session_model._meta.db_table)} AS s "
            f"LEFT JOIN {quote(user_model._meta.db_table)} AS u ON {user_key} = s.{session_owner} {devices} "
            f"WHERE s.{quote(session_model._meta.pk.column)} = %s "
            f"AND s.{quote(session_model._meta.get_field('expire_date').column)} > %s")


def instance_or_none(model, sql, params):
    rows = fetch_rows(sql, params)
    return column_set(model).instance(rows[0]) if rows else None


def by_pk(model, pk):
    connection = connections[DEFAULT_ALIAS]
    sql = select_sql(model, model._meta.pk.column, connection.vendor)
    return instance_or_none(model, sql, [model._meta.pk.get_db_prep_value(model._meta.pk.to_python(pk), connection)])


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions in LoginSession rows, each saved with its user's key; the current
    session is read by a fixed statement, with its user and their devices (`user_read`, or None)."""

    user_read = None

    @classmethod
    def get_model_class(cls):
        from .models import LoginSession

        return LoginSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_model = get_user_model()
        try:
            session.user_id = user_model._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            session.user_id = None
        return session

    def _get_session_from_db(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        self.user_read = None
        if self.session_key is None:  # not a well-formed key (the setter refused it): no row has it
            self._session_key = None
            return None
        connection, user_model = connections[DEFAULT_ALIAS], get_user_model()
        sql = session_with_user_sql(self.model, user_model, TOTPDevice, connection.vendor)
        rows = fetch_rows(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
        if not rows:
            self._session_key = None
            return None
        session, user_start = column_set(self.model, "s").take(rows[0], 0)
        self.user_read = user_and_devices(user_model, rows, user_start)
        return session


read_with_session = ContextVar("read_with_session")


def user_of_request(request):
    """Django's lazy user of the request (django.contrib.auth.get_user, its checks unchanged), with the
    user read along with the session at hand for the login backend while it runs."""
    token = read_with_session.set(getattr(request.session, "user_read", None))
    try:
        return auth_middleware.get_user(request)
    finally:
        read_with_session.reset(token)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's; its request.user comes through user_of_request."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: user_of_request(request))


class UserBackend(ModelBackend):
    """Django's ModelBackend; the signed-in user is the one read with the session when it is the user the
    session names, else read (with their devices) by a fixed statement."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:  # not a key of this model: nobody
            return None
        user = read_with_session.get(None)
        if user is None or user.pk != pk:
            user = user_with_devices(user_model, pk)
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
