"""Each area keeps its own Russian catalogue; merged, no message may be translated two different ways."""
from collections import defaultdict

from babel.messages.pofile import read_po

from wizard.i18n import TRANSLATIONS, product_catalogues


def test_no_message_is_translated_differently_in_two_catalogues():
    seen = defaultdict(set)
    for path in product_catalogues(TRANSLATIONS / "ru" / "LC_MESSAGES"):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="ru"):
                if message.id and message.string:
                    seen[(message.context, str(message.id))].add((str(message.string), path.name))
    conflicts = {key: values for key, values in seen.items() if len({v for v, _ in values}) > 1}
    assert conflicts == {}


def test_the_emulator_catalogue_stays_out_of_the_product(app):
    from flask_babel import gettext

    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert gettext("Sign in with Google") == "Войти через Google"
