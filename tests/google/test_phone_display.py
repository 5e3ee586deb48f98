"""The short way to a number's international form (wizard.google.phones) answers what phonenumbers' parse and
format answer, for every region's example numbers, their national-prefixed and zero-led variants, and random
digits; anything that is not an E.164 key goes the reference way."""
import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from wizard.google.phones import _from_digits, international, reference

E164 = phonenumbers.PhoneNumberFormat.E164


def example_keys():
    """E.164 keys of every region's and non-geographic entity's example numbers, of every number type."""
    keys = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in range(12):  # PhoneNumberType.FIXED_LINE .. VOICEMAIL, UNKNOWN excluded
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                keys.add(phonenumbers.format_number(number, E164))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            keys.add(phonenumbers.format_number(number, E164))
    return sorted(keys)


def variants(key):
    """The key, with its country's national prefix put back after the code, and with leading zeros."""
    number = phonenumbers.parse(key, None)
    code, nsn = str(number.country_code), phonenumbers.national_significant_number(number)
    region = phonenumbers.region_code_for_country_code(number.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, region)
    prefix = (metadata.national_prefix or "") if metadata is not None else ""
    return [key, f"+{code}{prefix}{nsn}", f"+{code}0{nsn}", f"+{code}00{nsn}", f"+{code}{nsn[:3]}"]


def test_every_example_number_and_its_variants():
    keys = example_keys()
    assert len(keys) > 1000
    short_way = 0
    for key in keys:
        for variant in variants(key):
            assert international.__wrapped__(variant) == reference(variant), variant
            short_way += _from_digits(variant[1:]) is not None
    assert short_way > 0.9 * len(keys)  # the shortcut is taken, not just the fallback


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(sorted(COUNTRY_CODE_TO_REGION_CODE)), st.text("0123456789", min_size=0, max_size=16))
def test_random_national_digits_behind_every_country_code(code, digits):
    key = f"+{code}{digits}"
    assert international.__wrapped__(key) == reference(key)


@settings(max_examples=2000, deadline=None)
@given(st.text("0123456789", min_size=0, max_size=20))
def test_random_digits_after_a_plus(digits):
    assert international.__wrapped__("+" + digits) == reference("+" + digits)


def test_what_is_not_an_e164_key_goes_the_reference_way():
    for key in ("+7 916 000-00-01", "89160000001", "+79160000001;ext=12", "+7916000000１", "", "+", "abc",
                "+79160000001x5", "+٧٩١٦٠٠٠٠٠٠١"):
        assert international.__wrapped__(key) == reference(key), key
