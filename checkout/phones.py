"""Phone numbers for top-ups: parsed against the item's country and normalized to E.164."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.countries import country_name


def normalize_phone(raw: str, *, country_code: str) -> str:
    """Return `raw` as an E.164 number of `country_code` ("0340 123 4567", IT -> "+393401234567").

    Raise ValidationError with a message the shopper can act on.
    """
    text = raw.strip()
    region = country_code.upper()
    candidates = [text]
    # People often type a mobile number with a national trunk "0" that the country doesn't use
    # for mobiles (Italy: 0340… for 340…); try without it when the number as typed is not valid.
    if not text.startswith("+") and text.lstrip().startswith("0"):
        candidates.append(text.lstrip()[1:])
    number = None
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            number = parsed
            break
    if number is None:
        raise ValidationError(
            _("This is not a valid phone number for %(country)s. Type it as you would dial it there, "
              "or with its country code, like +14155551234."),
            code="invalid_phone", params={"country": country_name(region)},
        )
    if phonenumbers.region_code_for_number(number) != region and number.country_code != (
        phonenumbers.country_code_for_region(region)
    ):
        raise ValidationError(
            _("This top-up is for %(country)s, so it needs a phone number from %(country)s."),
            code="wrong_country", params={"country": country_name(region)},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
