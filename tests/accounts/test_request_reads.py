"""The session, user and device read of every signed-in request (accounts/request_reads.py) give what
Django's and django-otp's own reads give, refuse what they refuse, and are what the settings use."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LoginSession
from accounts.request_reads import DEVICES_READ, DeviceMiddleware, SessionStore, UserBackend, read_with_session
from tests.auth import log_in, totp_device
from tests.factories import PsychologistFactory

pytestmark = pytest.mark.django_db


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_settings_use_the_reads():
    assert settings.SESSION_ENGINE == "accounts.request_reads"
    assert "accounts.request_reads.UserBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
    assert "accounts.request_reads.AuthenticationMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" not in settings.MIDDLEWARE
    assert "accounts.request_reads.DeviceMiddleware" in settings.MIDDLEWARE
    assert "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE


def test_a_session_loads_as_djangos_store_loads_it():
    store = SessionStore()
    store["answer"] = 42
    store["when"] = "01/02/2026"
    store.create()
    assert SessionStore(store.session_key).load() == LoginSession.objects.get(pk=store.session_key).get_decoded() == {
        "answer": 42, "when": "01/02/2026"}


def test_a_session_is_saved_with_its_users_key_and_read_with_the_user_and_devices(django_assert_num_queries):
    user, nobody = PsychologistFactory(), SessionStore()
    device = totp_device(user)
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    nobody["answer"] = 42
    nobody.create()
    assert LoginSession.objects.get(pk=store.session_key).user_id == user.pk
    assert LoginSession.objects.get(pk=nobody.session_key).user_id is None
    reread = SessionStore(store.session_key)
    with django_assert_num_queries(1):
        reread.load()
    assert fields_of(reread.user_read) == fields_of(user)
    assert {pk: fields_of(d) for pk, d in getattr(reread.user_read, DEVICES_READ).items()} == {
        device.pk: fields_of(device)}
    unsigned = SessionStore(nobody.session_key)
    unsigned.load()
    assert unsigned.user_read is None


def test_an_expired_session_is_not_loaded_and_its_key_is_dropped():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    LoginSession.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    reread = SessionStore(store.session_key)
    assert reread.load() == {}
    assert reread.session_key is None


@pytest.mark.parametrize("key", ["nosuchsessionkeyatall12345678901", "short", "x' OR '1'='1"])
def test_an_unknown_or_malformed_session_key_loads_nothing(key):
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_the_user_is_the_row_djangos_backend_reads():
    user = PsychologistFactory(first_name="Hélène", last_name="Dûpont")
    assert fields_of(UserBackend().get_user(str(user.pk))) == fields_of(ModelBackend().get_user(str(user.pk)))


def test_an_inactive_unknown_or_malformed_user_is_nobody():
    inactive = PsychologistFactory(is_active=False)
    assert UserBackend().get_user(str(inactive.pk)) is None
    assert UserBackend().get_user("987654321") is None
    assert UserBackend().get_user("not-a-number") is None


def device_of_session(middleware_class, user, persistent_id):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = persistent_id
    request.user = user
    middleware_class(lambda request: None)._install_lazy_accessors(request)
    return request.user.otp_device, request.user.is_verified()


def test_the_device_is_the_row_django_otp_reads_and_verifies_the_user():
    user = PsychologistFactory()
    device = totp_device(user)
    ours, verified = device_of_session(DeviceMiddleware, user, device.persistent_id)
    theirs, _verified = device_of_session(OTPMiddleware, user, device.persistent_id)
    assert verified and fields_of(ours) == fields_of(theirs) == fields_of(device)


def test_a_device_of_another_user_or_unconfirmed_does_not_verify():
    user, stranger = PsychologistFactory(), PsychologistFactory()
    assert device_of_session(DeviceMiddleware, user, totp_device(stranger).persistent_id) == (None, False)
    device = totp_device(user)
    device.confirmed = False
    device.save()
    assert device_of_session(DeviceMiddleware, user, device.persistent_id) == (None, False)
    assert device_of_session(DeviceMiddleware, user, "otp_totp.totpdevice/987654") == (None, False)
    assert device_of_session(DeviceMiddleware, user, "otp_totp.totpdevice/../1") == (None, False)


def test_another_kind_of_id_goes_through_django_otps_own_read(monkeypatch):
    user = PsychologistFactory()
    asked = []
    monkeypatch.setattr(OTPMiddleware, "_device_from_persistent_id",
                        lambda self, persistent_id: asked.append(persistent_id))
    assert device_of_session(DeviceMiddleware, user, f"accounts.user/{user.pk}") == (None, False)
    assert asked == [f"accounts.user/{user.pk}"]


def test_a_user_read_by_the_backend_brings_their_devices_as_django_otp_reads_them(django_assert_num_queries):
    user, stranger, alone = PsychologistFactory(), PsychologistFactory(), PsychologistFactory()
    first = totp_device(user)
    second = TOTPDevice.objects.create(user=user, name="tablette", confirmed=True)
    strangers = totp_device(stranger)
    with django_assert_num_queries(1):
        read = UserBackend().get_user(str(user.pk))
    assert fields_of(read) == fields_of(user)
    assert {pk: fields_of(device) for pk, device in getattr(read, DEVICES_READ).items()} == {
        first.pk: fields_of(first), second.pk: fields_of(second)}
    assert getattr(UserBackend().get_user(str(alone.pk)), DEVICES_READ) == {}
    with django_assert_num_queries(0):
        ours, verified = device_of_session(DeviceMiddleware, read, second.persistent_id)
    assert verified and fields_of(ours) == fields_of(second)
    with django_assert_num_queries(0):
        assert device_of_session(DeviceMiddleware, read, strangers.persistent_id) == (None, False)
        assert device_of_session(DeviceMiddleware, read, "otp_totp.totpdevice/987654") == (None, False)


def test_an_unconfirmed_device_read_with_the_user_does_not_verify():
    user = PsychologistFactory()
    device = totp_device(user)
    device.confirmed = False
    device.save()
    read = UserBackend().get_user(str(user.pk))
    assert device_of_session(DeviceMiddleware, read, device.persistent_id) == (None, False)


def test_the_backend_takes_the_user_read_with_the_session_only_when_it_is_the_one_asked_for(
        django_assert_num_queries):
    user, other = PsychologistFactory(), PsychologistFactory()
    read = UserBackend().get_user(str(user.pk))
    token = read_with_session.set(read)
    try:
        with django_assert_num_queries(0):
            assert UserBackend().get_user(str(user.pk)) is read
        with django_assert_num_queries(1):
            assert UserBackend().get_user(str(other.pk)).pk == other.pk
        read.is_active = False
        assert UserBackend().get_user(str(user.pk)) is None  # Django's own rule, on the user read along
    finally:
        read_with_session.reset(token)


def test_a_session_whose_user_column_disagrees_with_its_data_signs_in_the_data_s_user(client):
    user, other = PsychologistFactory(), PsychologistFactory()
    log_in(client, user)
    LoginSession.objects.filter(pk=client.session.session_key).update(user=other)
    response = client.get(reverse("pathway:rules"))
    assert get_user(response.wsgi_request) == user


def test_a_changed_password_still_ends_the_session_read_with_its_user(client):
    user = PsychologistFactory()
    log_in(client, user)
    type(user).objects.filter(pk=user.pk).update(password=make_password("un autre mot de passe"))
    assert client.get(reverse("pathway:rules")).status_code == 302  # Django's hash check: logged out


def test_a_signed_in_request_reads_its_session_with_its_user_and_devices_once(client, django_assert_num_queries):
    user = PsychologistFactory()
    log_in(client, user)
    with django_assert_num_queries(1):  # nothing else: the rules page reads no patient data
        response = client.get(reverse("pathway:rules"))
    assert response.status_code == 200
    assert get_user(response.wsgi_request) == user and response.wsgi_request.user.is_verified()
