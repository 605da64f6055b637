"""How two spellings of one phone number are known to be the same number.

"+351 912 000 111", "00351912000111" and "912 000 111" (read in PHONE_REGION) are one number.
An import compares incoming numbers by `phone_keys`; each stored contact point keeps its
`phone_key`, so the owner's numbers are found by index instead of being parsed again.
"""

from functools import lru_cache

import phonenumbers
from django.conf import settings


def phone_keys(value: str) -> set[str]:
    """What two spellings of one phone number share: its E.164 form when it can be read
    (country from the number, else settings.PHONE_REGION), and its national digits."""
    return set(_phone_keys(value, settings.PHONE_REGION))


def phone_key(value: str) -> str:
    """The one key of `phone_keys` without a country: whenever two numbers share any key,
    they share this one (equal E.164 forms have equal national digits). "" for no number."""
    return next((key for key in _phone_keys(value, settings.PHONE_REGION) if key[0] != "+"), "")


@lru_cache(maxsize=1024)  # a contact's numbers are read to match, to remember and to write
def _phone_keys(value: str, region: str) -> frozenset[str]:
    digits = "".join(filter(str.isdigit, value))
    if len(digits) < 5:
        return frozenset()
    keys = set()
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        keys.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        keys.add(str(number.national_number))
    elif not value.strip().startswith("+"):
        # No country to read it by: its digits without a trunk 0 compare to national numbers.
        keys.add(digits.lstrip("0"))
    return frozenset(keys)
