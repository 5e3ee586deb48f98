"""The wizard's saved state: one database row, so leaving, coming back and the OAuth round trip all resume."""
from wizard.extensions import db
from wizard.models.settings import SetupWizardState
from wizard.setup.steps import KEYS

STATE_ID = 1


def load() -> SetupWizardState:
    state = db.session.get(SetupWizardState, STATE_ID)
    if state is None:
        state = SetupWizardState(id=STATE_ID, step=KEYS[0], completed=[], file_redirect_uris=[], file_origins=[])
        db.session.add(state)
        db.session.commit()
    return state


def complete(key: str, next_key: str | None = None) -> SetupWizardState:
    state = load()
    if key not in (state.completed or []):
        state.completed = list(state.completed or []) + [key]
    if next_key:
        state.step = next_key
    db.session.commit()
    return state

