"""Choices for WTForms select and radio fields. WTForms 3.3 deprecates (value, label) tuples as choices
(removed in 3.4); the product keeps its choice lists as plain pairs (the API's schema reads them too) and
hands fields `SelectChoice` objects made here."""
from wtforms import SelectChoice


def select_choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def label_of(choices, value, default=""):
    """The label of `value` among a field's choices (`SelectChoice` objects), as text."""
    return next((str(choice.label) for choice in choices or () if choice.value == value), default)
