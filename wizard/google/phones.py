"""The international form a phone number is written to Google in ("+7 916 000-00-01"), from its E.164 key.

`phonenumbers.parse` then `format_number` is the reference. A first sync formats every contact's number once
and the two calls were an eighth of its CPU, most of it `parse` re-discovering what an E.164 key already says
(a plus sign, digits, no extension). `international` takes the key's digits through the same steps `parse`
takes for such a string (the country code, then the national prefix stripped only when what is left still has
a possible length) and formats with the library's own pattern choice: the same text at about half the cost.
Anything else, and any number the shortcut does not settle, goes the reference way. The steps are the
library's internal functions: `tests/google/test_phone_display.py` compares both ways over every region's
example numbers and random digits, so a `phonenumbers` release that changes them fails there, not silently.
"""
from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import phonenumberutil as _util
from phonenumbers.phonemetadata import PhoneMetadata

_INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL
# The lengths `parse` accepts for a national significant number; outside them the reference way decides.
_MIN_NSN, _MAX_NSN = 2, 17
# `parse` keeps the national prefix when stripping it leaves a number of one of these lengths.
_KEEP_PREFIX = (_util.ValidationResult.TOO_SHORT, _util.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                _util.ValidationResult.INVALID_LENGTH)


def reference(key: str) -> str:
    """International format when the number parses, else the key as it is (the definition)."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(key, None), _INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return key


@lru_cache(maxsize=65536)  # a pure function of its input: each distinct number is formatted once per process
def international(key: str) -> str:
    """What `reference` answers, the short way for an E.164 key ("+" then 3 to 17 digits)."""
    digits = key[1:]
    if key[:1] == "+" and digits.isascii() and digits.isdigit() and 3 <= len(digits) <= 17:
        shown = _from_digits(digits)
        if shown is not None:
            return shown
    return reference(key)


def _from_digits(digits: str) -> str | None:
    country_code, national = _util._extract_country_code(digits)
    if country_code == 0 or len(national) < _MIN_NSN:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, _util.region_code_for_country_code(country_code))
    if metadata is None:
        return None
    _carrier, stripped, _ = _util._maybe_strip_national_prefix_carrier_code(national, metadata)
    if _util._test_number_length(stripped, metadata) not in _KEEP_PREFIX:
        national = stripped
    if not _MIN_NSN <= len(national) <= _MAX_NSN:
        return None
    number = phonenumbers.PhoneNumber(country_code=country_code)
    _util._set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    nsn = phonenumbers.national_significant_number(number)
    return f"+{country_code} {_util._format_nsn(nsn, metadata, _INTERNATIONAL)}"
