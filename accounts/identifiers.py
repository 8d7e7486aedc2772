"""Professional identifiers of a psychologist (DOMAIN.md §8)."""

from stdnum import luhn

ADELI_PSYCHOLOGIST_PROFESSION_CODE = "93"


def rpps_passes_luhn(rpps: str) -> bool:
    return luhn.is_valid(rpps)


def adeli_problem(adeli: str) -> str | None:
    """The reason an ADELI number is refused, or None when it is valid."""
    from django.utils.translation import gettext as _

    if len(adeli) != 9 or not adeli.isdigit():
        return _("The ADELI number has 9 digits.")
    if adeli[2:4] != ADELI_PSYCHOLOGIST_PROFESSION_CODE:
        return _("A psychologist's ADELI number has the profession code 93 in positions 3 and 4.")
    if not luhn.is_valid(adeli):
        return _("The ADELI number's check digit is wrong: check the number.")
    return None
