"""Google's token endpoint answering a refresh with an API-style error envelope (`{"error": {"code": 429, ...}}`
instead of OAuth's flat `{"error": "..."}`): a refusal to retry like any 429/5xx, not a crash of the run (it was a
TypeError in the error classification) nor a reason to ask the user to reconnect. Found by the soak
(benchmarks/soak.py)."""
import pytest

from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.accounts import CONNECTED, GoogleAccount
from wizard.models.sync import RunStatus

from tests.engine.helpers import crm_contact


@pytest.mark.parametrize("status", [429, 503])
def test_refresh_refused_with_an_api_envelope_is_transient(app, account, emulator, status):
    crm_contact(account, "Anna")
    account.token_expires_at = None  # unknown expiry: the first call refreshes
    db.session.commit()
    emulator.control("POST", "/faults", json={"endpoint": "oauth", "error_rate": 1, "error_statuses": [status],
                                              "remaining": 1})
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["retries"] >= 1 and run.counts["google"] == {"create": 1}
    assert db.session.get(GoogleAccount, account.id).status == CONNECTED
