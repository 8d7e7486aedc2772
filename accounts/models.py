from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

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
