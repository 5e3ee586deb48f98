"""Step 4: save Client ID and Client Secret, typed in or read from Google's JSON file, and compare the
file's registrations with the values of step 2. Both values are checked before either is written."""
from dataclasses import dataclass, field

from wizard.extensions import db
from wizard.google.rules import CALLBACK_FORMS, derive
from wizard.messages import Message
from wizard.setup import client_file
from wizard.settings import values as services
from wizard.setup import progress as wizard_state


@dataclass
class CredentialsResult:
    errors: dict = field(default_factory=dict)  # form field -> Message; nothing was saved
    differences: list = field(default_factory=list)  # Messages: the file's registrations vs step 2
    from_file: bool = False

    @property
    def saved(self) -> bool:
        return not self.errors


def expected_values():
    """(origin, chosen redirect URI, the other callback form's URI) for the saved site address."""
    address = services.site_address()
    if not address:
        return None, None, None
    form = services.callback_form()
    other = next(f for f in CALLBACK_FORMS if f != form)
    origin, redirect_uri = derive(address, CALLBACK_FORMS[form])
    return origin, redirect_uri, derive(address, CALLBACK_FORMS[other])[1]


def save(client_id: str, client_secret: str, upload=None, actor=None) -> CredentialsResult:
    result = CredentialsResult()
    parsed = None
    if upload is not None:
        try:
            parsed = client_file.parse(client_file.read_upload(upload))
        except client_file.ClientFileError as exc:
            result.errors["client_file"] = exc.message
            return result
        client_id, client_secret, result.from_file = parsed.client_id, parsed.client_secret, True
    client_id = (client_id or "").strip()
    keep_secret = not client_secret and services.is_set("GoogleClientSecret")
    for name, code, value in (("client_id", "GoogleClientId", client_id),
                              ("client_secret", "GoogleClientSecret", client_secret)):
        if name == "client_secret" and keep_secret:
            continue
        try:
            services.validate(code, value)
        except services.SettingError as exc:
            result.errors[name] = exc.message
    if result.errors:
        return result
    services.set_setting("GoogleClientId", client_id, actor, commit=False)
    if not keep_secret:
        services.set_setting("GoogleClientSecret", client_secret, actor, commit=False)
    state = wizard_state.load()
    state.probe_status = state.roundtrip_status = None
    if parsed:
        state.file_redirect_uris = list(parsed.redirect_uris)
        state.file_origins = list(parsed.javascript_origins)
        origin, redirect_uri, other = expected_values()
        if redirect_uri:
            result.differences = client_file.cross_check(parsed, origin, redirect_uri, other)
    else:
        state.file_redirect_uris, state.file_origins = [], []
    db.session.commit()
    return result


def stored_differences() -> list[Message]:
    """The cross-check against the last uploaded file, recomputed (the address or form may have changed)."""
    state = wizard_state.load()
    if not state.file_redirect_uris and not state.file_origins:
        return []
    origin, redirect_uri, other = expected_values()
    if not redirect_uri:
        return []
    parsed = client_file.ClientFile("", "", tuple(state.file_redirect_uris), tuple(state.file_origins))
    return client_file.cross_check(parsed, origin, redirect_uri, other)
