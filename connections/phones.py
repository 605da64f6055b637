"""How two spellings of one phone number are known to be the same number.

"+351 912 000 111", "00351912000111" and "912 000 111" (read in PHONE_REGION) are one number.
An import compares incoming numbers by `phone_keys`; each stored contact point keeps its
`phone_key`, so the owner's numbers are not parsed again. Keys are worked out with
PHONE_REGION when a number is saved: after changing it, `manage.py rekey_phones`.
"""

from functools import lru_cache

import phonenumbers
from django.conf import settings


def phone_keys(value: str) -> set[str]:
    """What two spellings of one phone number share: its E.164 form when it can be read
    (country from the number, else settings.PHONE_REGION), and its national digits."""
    return set(_phone_keys(value, settings.PHONE_REGION))


def phone_key(value: str) -> str:
    """The key of `value` a contact point keeps (see `national_key`)."""
    return national_key(_phone_keys(value, settings.PHONE_REGION))


def national_key(keys) -> str:
    """The one of a number's `phone_keys` without a country: whenever two numbers share any
    key, they share this one (equal E.164 forms have equal national digits). "" for none."""
    return next((key for key in keys if key[0] != "+"), "")


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


def rekey_phones(contact_point_model, *, chunk: int = 2000) -> int:
    """Work out every stored phone's key again (after PHONE_REGION changed, or for rows made
    before keys were kept); return how many changed. Takes the model so the migration that
    first filled the keys can pass its historical one."""
    phones = (
        contact_point_model.objects.filter(kind="phone")
        .only("id", "value", "phone_key")
        .order_by("id")
    )
    changed, batch = 0, []
    for point in phones.iterator(chunk_size=chunk):
        key = phone_key(point.value)
        if key != point.phone_key:
            point.phone_key = key
            batch.append(point)
        if len(batch) == chunk:
            contact_point_model.objects.bulk_update(batch, ["phone_key"])
            changed, batch = changed + len(batch), []
    contact_point_model.objects.bulk_update(batch, ["phone_key"])
    return changed + len(batch)
