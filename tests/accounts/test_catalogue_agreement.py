"""All catalogues merge into one: a msgid we share with another area must carry the same Russian text, or
the page would show whichever file happens to be merged last."""
from babel.messages.pofile import read_po

from tests.accounts.catalogue import ROOT

LC = ROOT / "wizard/translations/ru/LC_MESSAGES"


def test_shared_msgids_agree_with_other_catalogues():
    with (LC / "accounts.po").open("rb") as fh:
        mine = {m.id: m.string for m in read_po(fh, locale="ru") if m.id}
    disagreements = []
    for path in sorted(LC.glob("*.po")):
        if path.name == "accounts.po":
            continue
        with path.open("rb") as fh:
            for message in read_po(fh, locale="ru"):
                if message.id in mine and message.string and message.string != mine[message.id]:
                    disagreements.append((path.name, message.id, mine[message.id], message.string))
    assert disagreements == []
