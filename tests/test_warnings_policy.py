"""The suite's warning policy is in force: a DeprecationWarning from the project's modules (or one WTForms
attributes to itself, which is how it reports deprecated field arguments) fails the test, as pyproject's
`filterwarnings` says; other libraries' deprecations are only reported."""
import warnings

import pytest
from wtforms import Form, SelectField


def warn_from(module):
    warnings.warn_explicit("old API", DeprecationWarning, f"{module.replace('.', '/')}.py", 1, module=module)


@pytest.mark.parametrize("module", ["wizard", "wizard.crm.forms", "tests.crm.test_pages", "config",
                                    "wtforms.fields.core"])
def test_deprecations_from_our_modules_are_errors(module):
    with pytest.raises(DeprecationWarning):
        warn_from(module)


def test_other_libraries_deprecations_are_reported_not_raised():
    with pytest.warns(DeprecationWarning):
        warn_from("somelibrary.module")


def test_wtforms_tuple_choices_fail_the_suite():
    class Legacy(Form):
        kind = SelectField(choices=[("a", "A")])

    with pytest.raises(DeprecationWarning, match="SelectChoice"):
        Legacy()
