"""normalize_text returns text already in normal form as it is, without the normalising steps (a speed path):
it must agree with those steps for every input, so they are written out here as the reference."""
import random
import re
import unicodedata

from wizard.sync.records import normalize_text

_SPACES = re.compile(r"\s+")


def reference(value):
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
    return text or None


def test_every_character_alone_and_between_letters():
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for text in (char, f"a{char}b", char * 2, f" {char}"):
            assert normalize_text(text) == reference(text), hex(code)


def test_random_mixes_of_spaces_breaks_and_combining_marks():
    alphabet = "ab Я\u0301e\u00e9 \t\n\r\xa0\u2003\u200b\x1c\x85\u2028\u3000\ufeffxyz  ."
    rng = random.Random(16)
    for _ in range(50000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 9)))
        assert normalize_text(text) == reference(text), repr(text)
    assert normalize_text("") is None and normalize_text(None) is None and normalize_text(5) == "5"


def phone_reference(value):
    value = value.strip()
    plus = value.startswith("+") or value.startswith("00")
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.startswith("00"):
        digits = digits[2:]
    return ("+" if plus else "") + digits


def test_phone_keys_already_normal_come_back_as_they_are():
    from wizard.sync.records import normalize_phone

    rng = random.Random(7)
    for _ in range(50000):
        text = "".join(rng.choice("+0012345 ()-٣\u00a0") for _ in range(rng.randrange(0, 8)))
        assert normalize_phone(text) == phone_reference(text), repr(text)
    for text in ("+79161234567", "79161234567", "0079161234567", "+", "", "00", "+٣", "٣"):
        assert normalize_phone(text) == phone_reference(text), repr(text)
