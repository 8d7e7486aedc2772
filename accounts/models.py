from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import RegexValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        GP = "gp", _("Doctor")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PSYCHOLOGIST)
    rpps = models.CharField(
        _("RPPS number"), max_length=11, blank=True,
        validators=[RegexValidator(r"^\d{11}$", _("The RPPS number has 11 digits."))],
    )
    adeli = models.CharField(_("ADELI number"), max_length=9, blank=True)
    practice_address = models.TextField(_("practice address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_conventioned = models.BooleanField(_("conventioned with the CPAM"), default=False)
    convention_date = models.DateField(_("convention date"), null=True, blank=True)
    # Raised by "log out from every device": every session signed with the previous value ends.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request against the one stored at login (it also serves
        # the SECRET_KEY_FALLBACKS): mixing the epoch in makes a new epoch end every open session.
        return salted_hmac("accounts.User.session_auth_hash", f"{self.password}:{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_psychologist(self):
        return self.role == self.Role.PSYCHOLOGIST

    @property
    def professional_number(self):
        if self.rpps:
            return f"RPPS {self.rpps}"
        if self.adeli:
            return f"ADELI {self.adeli}"
        return ""

    def may_bill_reimbursed_on(self, day):
        """Only a conventioned psychologist records reimbursed sessions, from the convention date."""
        if not (self.is_psychologist and self.is_conventioned):
            return False
        return self.convention_date is None or self.convention_date <= day


class RecoveryCode(models.Model):
    """A single-use code that replaces the authenticator once; stored hashed, shown once at creation.

    The codes are random (80 bits), so a plain SHA-256 is enough to make a stolen table useless, and it
    lets a login find the code with one indexed lookup (a salted slow hash would need one check per code).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]

    def __str__(self):
        return f"{self.user} · {'used' if self.used_at else 'unused'}"


class LoginSession(AbstractBaseSession):
    """Django's database session, with its user's key in a column of its own (Django's documented way to
    extend it): the session of a request is read with its user and their devices in one statement
    (accounts/request_reads.py). The column is set from the session's data whenever the session is saved."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    @classmethod
    def get_session_store_class(cls):
        from .request_reads import SessionStore

        return SessionStore
