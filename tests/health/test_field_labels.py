"""Every field the sync core compares has a readable name on the conflicts table, in both languages."""
from flask_babel import force_locale

from wizard.health.labels import FIELDS, field_label
from wizard.sync.records import SPECS


def test_every_record_field_is_named(app):
    for name, spec in SPECS.items():
        assert set(FIELDS[name]) == set(spec.field_names), name
    with app.test_request_context(), force_locale("ru"):
        assert field_label("activities", "participants") == "Участники"
