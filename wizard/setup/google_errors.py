"""Google's OAuth and API error codes, each translated into what to fix, in the console's words."""
from flask_babel import lazy_gettext as _l

from wizard.messages import define, render

_KNOWN = set()


def _error(code, explanation, fix):
    _KNOWN.add(code)
    define(f"setup.google_error.{code}", explanation)
    define(f"setup.google_error.{code}.fix", fix)


_error("redirect_uri_mismatch",
       _l("Google does not have %(redirect_uri)s among the Authorized redirect URIs of this client."),
       _l("In the Google Cloud console open APIs & Services → Credentials → your OAuth 2.0 Client ID, add "
          "exactly %(redirect_uri)s under “Authorized redirect URIs” and click Save. Changes can take from 5 "
          "minutes to a few hours to apply."))
_error("invalid_client",
       _l("Google does not recognise this client ID and client secret pair."),
       _l("Copy “Client ID” and “Client secret” again from APIs & Services → Credentials → your OAuth 2.0 "
          "Client ID. If the secret cannot be shown any more, click “Add secret” and enter the new one."))
_error("deleted_client",
       _l("The OAuth client was deleted (Google deletes clients unused for six months)."),
       _l("Create a new OAuth client ID of type “Web application” (step 3) and enter its values (step 4)."))
_error("org_internal",
       _l("The consent screen's user type is “Internal”: only accounts of your Google Workspace organization "
          "can sign in."),
       _l("Sign in with an account of your organization, or set User type to “External” on the OAuth consent "
          "screen (Audience)."))
_error("access_denied",
       _l("Access was not granted: consent was declined, or the account is not a test user of an app in "
          "“Testing”."),
       _l("Try again and click “Allow”. For an app in Testing add the account under OAuth consent screen → "
          "Test users."))
_error("admin_policy_enforced",
       _l("Your Google Workspace administrator does not allow this app."),
       _l("Ask the Workspace administrator to trust the app in Admin console → Security → API controls."))
_error("disallowed_useragent",
       _l("Google refuses sign-in from an embedded browser."),
       _l("Open the site in a regular browser (Chrome, Firefox, Edge, Safari)."))
_error("invalid_grant",
       _l("Google refused the authorization code or token (expired, already used, or revoked)."),
       _l("Start the round trip again. If it keeps failing, check the server's clock."))
_error("invalid_scope",
       _l("Google refused one of the requested scopes."),
       _l("On the OAuth consent screen (Data access), add the scopes listed in step 3."))
_error("unauthorized_client",
       _l("This client is not allowed to use this flow: it is probably not of type “Web application”."),
       _l("Create an OAuth client ID of type “Web application” (step 3)."))
_error("invalid_request",
       _l("Google refused the request as malformed."),
       _l("Check that the client ID was copied completely, then try again."))
_error("SERVICE_DISABLED",
       _l("%(api)s is not enabled in the Google Cloud project of this client."),
       _l("In the Google Cloud console open APIs & Services → Library, search for “%(api)s” and click "
          "Enable. Allow a few minutes before trying again."))
_error("ACCESS_TOKEN_SCOPE_INSUFFICIENT",
       _l("The access granted does not include the scope %(api)s needs."),
       _l("Try again and leave every permission ticked on Google's consent page."))
_error("unreachable",
       _l("The server could not reach Google (%(detail)s)."),
       _l("Allow outgoing HTTPS from this server to accounts.google.com, oauth2.googleapis.com and "
          "*.googleapis.com (proxy or firewall), then try again."))
_error("unexpected",
       _l("Google answered with an unexpected error: %(detail)s."),
       _l("Try again later; if it persists, check the values of steps 2 and 4."))

# Errors Google shows on its own page during the round trip (the wizard never sees them come back).
SHOWN_ON_GOOGLES_PAGE = ("redirect_uri_mismatch", "invalid_client", "deleted_client", "org_internal",
                         "access_denied", "admin_policy_enforced", "disallowed_useragent")

ALIASES = {"accessNotConfigured": "SERVICE_DISABLED", "insufficientPermissions": "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}


def explain(code: str, **params) -> tuple[str, str]:
    """(what happened, what to fix), translated, for a Google error code."""
    code = ALIASES.get(code, code)
    if code not in _KNOWN:
        params = {"detail": code, **params}
        code = "unexpected"
    params.setdefault("detail", "")
    params.setdefault("api", "")
    params.setdefault("redirect_uri", "")
    return render(f"setup.google_error.{code}", **params), render(f"setup.google_error.{code}.fix", **params)
