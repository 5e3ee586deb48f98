"""The site's public address: what the admin may enter, its normal form, and a guess from the request."""
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from wizard.google.rules import check_address, derive
from wizard.messages import Message, define

# Problems that make the input unusable as an address at all; Google-policy problems (an IP host, an
# intranet name) are still saved, and the wizard explains the fix.
STRUCTURAL = {"empty", "unparseable", "no_host", "non_printable", "wildcard", "bad_percent_encoding",
              "encoded_nul", "userinfo", "fragment", "bad_port", "invalid_host", "scheme_not_allowed"}
ERR_PATH = define("site_address.path", _l(
    "Enter only the site's address (scheme, host and port), without a path or query: “%(extra)s” is extra."))


def site_address_error(value: str):
    """A Message when `value` cannot serve as the site address; None when it can."""
    verdict = check_address(value)
    for problem in verdict.problems:
        if problem.code in STRUCTURAL:
            return Message(f"google_rules.{problem.code}", problem.params)
    raw = value.strip()
    full = raw if "://" in raw else "https://" + raw
    parts = urlsplit(full)
    if parts.path not in ("", "/") or parts.query:
        extra = parts.path + ("?" + parts.query if parts.query else "")
        return Message(ERR_PATH, {"extra": extra})
    return None


def normalize_site_address(value: str) -> str:
    """The origin form: scheme://host[:port], lower case, default port dropped."""
    origin, _ = derive(value)
    return origin or value.strip()


def address_from_request() -> str:
    """The address this request came in on. Forwarded headers count only behind a trusted proxy, which
    ProxyFix (installed by the setup blueprint when TRUSTED_PROXY_COUNT > 0) has already applied."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return normalize_site_address(configured)
    return normalize_site_address(request.host_url)
