"""Google's registration rules for a Web application OAuth client, checked offline.

Pure module (standard library + publicsuffixlist): derives the Authorized JavaScript origin and the
Authorized redirect URI from a site address, and lists every rule of Google's a value breaks, each as a
`Problem` with a stable code, the English message Google's console shows, and a translated explanation
and fix. The rules are those of the reference (google-apis.md, section 2); the Public Suffix List is the
copy shipped with `publicsuffixlist`, built with accept_unknown=False so `.local`, `.lan` or `.corp` are
not mistaken for public suffixes by its catch-all rule.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from flask_babel import lazy_gettext as _l

from wizard.messages import define, render

CLEAN_CALLBACK = "/oauth/google/callback"
LEGACY_CALLBACK = "/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff"
CALLBACK_FORMS = {"clean": CLEAN_CALLBACK, "legacy": LEGACY_CALLBACK}

# Host kinds returned by classify_host().
PUBLIC_DOMAIN = "public_domain"
LOOPBACK = "loopback"
PRIVATE_IP = "private_ip"
PUBLIC_IP = "public_ip"
INTRANET_NAME = "intranet_name"
LOCALHOST_SUBDOMAIN = "localhost_subdomain"
PUBLIC_SUFFIX = "public_suffix"
INVALID = "invalid"

# On the Public Suffix List, but reserved for private networks (RFC 8375): Google cannot tell them apart
# from an intranet name, and neither can we.
SPECIAL_USE_SUFFIXES = ("home.arpa",)
# Shorteners Google refuses unless the app owns them (then the path must hold /google-callback).
URL_SHORTENERS = frozenset({"goo.gl", "bit.ly", "tinyurl.com", "t.co", "ow.ly", "is.gd", "buff.ly",
                            "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc"})
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
BAD_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
ENCODED_NUL = re.compile(r"%00|%c0%80", re.IGNORECASE)
URL_IN_VALUE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?[/\\]{2}", re.IGNORECASE)


@lru_cache(maxsize=1)
def _psl():
    # Loaded on the first address check only: reading the list takes a noticeable moment at start-up.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(accept_unknown=False)


# --- problems ---------------------------------------------------------------------------------------------

# code -> (Google's console wording after "Invalid Redirect: " / "Invalid Origin: ", explanation, fix)
_RULES: dict[str, tuple[str, object, object]] = {}


def _rule(code, google_tail, explanation, fix):
    _RULES[code] = (google_tail, explanation, fix)
    define(f"google_rules.{code}", explanation)
    define(f"google_rules.{code}.fix", fix)


_FIX_DNS = _l("Give the server a DNS name under a domain your company owns (for example "
              "crm.intranet.example.com), resolve it to the server's address in your internal DNS, serve the site "
              "over https with a certificate your browsers trust, and enter that address. Google never connects "
              "to this address; only your users' browsers do, so it need not be reachable from the internet. "
              "Use http://localhost only if every user's browser runs on the server itself.")

_rule("empty", "must not be empty.",
      _l("The address is empty."),
      _l("Enter the site's address as users type it in their browser, for example https://crm.example.com."))
_rule("unparseable", "must be a valid URL.",
      _l("“%(value)s” is not a web address."),
      _l("Enter the site's address as users type it in their browser, for example https://crm.example.com."))
_rule("no_host", "must contain a host.",
      _l("The address has no host name."),
      _l("Enter the site's address as users type it in their browser, for example https://crm.example.com."))
_rule("scheme_not_allowed", "must use either http or https as the scheme.",
      _l("The scheme “%(scheme)s” is not allowed: Google accepts only https (and http for localhost)."),
      _l("Start the address with https://."))
_rule("scheme_not_https", "must use https:// as the scheme.",
      _l("Plain http is allowed only for localhost (localhost, 127.0.0.1, [::1]); “%(host)s” needs https."),
      _l("Serve the site over https with a certificate your browsers trust and start the address with "
         "https://."))
_rule("raw_ip_host", "must end with a public top-level domain (such as .com or .org).",
      _l("The host %(host)s is an IP address. Google refuses raw IP addresses, private or public; only loopback "
         "addresses (127.0.0.1, [::1]) are exempt. The documented “ip:port” recipe no longer works."),
      _FIX_DNS)
_rule("tld_not_public_suffix", "must end with a public top-level domain (such as .com or .org).",
      _l("“%(host)s” does not end with a public top-level domain: names such as .local, .lan, .internal, "
         ".corp, .test, .example or a single-word intranet name are refused by Google."),
      _FIX_DNS)
_rule("localhost_subdomain", "must end with a public top-level domain (such as .com or .org).",
      _l("“%(host)s” is a subdomain of localhost; Google accepts only localhost itself."),
      _l("Use http://localhost:PORT (for a browser on the server itself) or a DNS name under your company's "
         "domain served over https."))
_rule("host_is_public_suffix", "must use a domain that is a valid top private domain.",
      _l("“%(host)s” is a public suffix itself (like .com or .co.uk), not a domain anyone can own."),
      _l("Enter the full host name of the site, for example crm.example.com."))
_rule("invalid_host", "must contain a valid host.",
      _l("“%(host)s” is not a valid host name."),
      _l("Use only letters, digits, hyphens and dots in the host name, for example crm.example.com."))
_rule("googleusercontent_host", "cannot use googleusercontent.com.",
      _l("Addresses under googleusercontent.com cannot be registered."),
      _l("Use your own domain for the site."))
_rule("url_shortener", "cannot use a URL shortener domain.",
      _l("“%(host)s” is a URL shortener; Google refuses it unless you own it, and then the path must contain "
         "/google-callback/ or end with /google-callback."),
      _l("Use the site's own address."))
_rule("bad_port", "must contain a valid port.",
      _l("The port in “%(value)s” is not a number between 1 and 65535."),
      _l("Write the port as a number, for example https://crm.example.com:8443."))
_rule("userinfo", "cannot contain userinfo.",
      _l("The address contains a user name or password before the host (user:password@host)."),
      _l("Remove everything between “//” and “@”."))
_rule("fragment", "cannot contain a fragment.",
      _l("The address contains a fragment (“#%(fragment)s”)."),
      _l("Remove the “#” and everything after it."))
_rule("path_traversal", "cannot contain a path traversal.",
      _l("The address contains a path traversal (“/..” or “\\..”, possibly percent-encoded)."),
      _l("Write the path without “..” segments."))
_rule("open_redirect", "cannot contain an open redirect.",
      _l("The query parameter “%(param)s” holds another address; Google refuses open redirects."),
      _l("Remove the parameter that carries an address from the query."))
_rule("wildcard", "cannot contain a wildcard (*).",
      _l("The address contains a “*” wildcard; Google needs every address written out."),
      _l("Register each address separately, without “*”."))
_rule("non_printable", "cannot contain whitespace or non-printable characters.",
      _l("The address contains spaces or non-printable characters."),
      _l("Remove spaces, tabs and line breaks from the address."))
_rule("bad_percent_encoding", "contains an invalid percent encoding.",
      _l("The address contains a “%” that is not followed by two hexadecimal digits."),
      _l("Write “%25” for a literal percent sign, or fix the escape sequence."))
_rule("encoded_nul", "cannot contain an encoded NUL character.",
      _l("The address contains an encoded NUL character (%00 or %C0%80)."),
      _l("Remove the encoded NUL character."))
_rule("origin_has_path", "URIs must not contain a path or end with \"/\".",
      _l("A JavaScript origin is only scheme, host and port; “%(path)s” is a path."),
      _l("Register the origin without a path, for example https://crm.example.com."))
_rule("origin_trailing_slash", "URIs must not contain a path or end with \"/\".",
      _l("A JavaScript origin must not end with “/”."),
      _l("Remove the trailing “/”."))
_rule("origin_has_query", "URIs must not contain a query.",
      _l("A JavaScript origin cannot have a query (“?%(query)s”)."),
      _l("Register the origin without “?” and what follows."))


@dataclass(frozen=True)
class Problem:
    """One rule of Google's that a value breaks. `kind` is "redirect" or "origin"."""

    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    kind: str = "redirect"

    @property
    def google_message(self) -> str:
        prefix = "Invalid Origin: " if self.kind == "origin" else "Invalid Redirect: "
        return prefix + _RULES[self.code][0]

    @property
    def message(self) -> str:
        return render(f"google_rules.{self.code}", **self.params)

    @property
    def fix(self) -> str:
        return render(f"google_rules.{self.code}.fix", **self.params)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def rule_codes() -> set[str]:
    return set(_RULES)


# --- hosts ------------------------------------------------------------------------------------------------

def _ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def classify_host(host: str | None) -> str:
    """public_domain | loopback | private_ip | public_ip | intranet_name | localhost_subdomain |
    public_suffix | invalid."""
    host = (host or "").strip().lower().rstrip(".")
    if not host:
        return INVALID
    ip = _ip(host)
    if ip is not None:
        if ip.is_loopback:
            return LOOPBACK
        if ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified or ip.is_multicast:
            return PRIVATE_IP
        return PUBLIC_IP
    if host == "localhost":
        return LOOPBACK
    if host.endswith(".localhost"):
        return LOCALHOST_SUBDOMAIN
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return INVALID
    if not all(HOST_LABEL.match(label) for label in ascii_host.split(".")):
        return INVALID
    if any(ascii_host == s or ascii_host.endswith("." + s) for s in SPECIAL_USE_SUFFIXES):
        return INTRANET_NAME
    psl = _psl()
    if psl.publicsuffix(ascii_host) is None:
        return INTRANET_NAME
    if psl.privatesuffix(ascii_host) is None:
        return PUBLIC_SUFFIX
    return PUBLIC_DOMAIN


def _host_problems(host: str, kind: str) -> list[Problem]:
    host_kind = classify_host(host)
    p = {"host": host}
    if host_kind in (PRIVATE_IP, PUBLIC_IP):
        return [Problem("raw_ip_host", p, kind)]
    if host_kind == INTRANET_NAME:
        return [Problem("tld_not_public_suffix", p, kind)]
    if host_kind == LOCALHOST_SUBDOMAIN:
        return [Problem("localhost_subdomain", p, kind)]
    if host_kind == PUBLIC_SUFFIX:
        return [Problem("host_is_public_suffix", p, kind)]
    if host_kind == INVALID:
        return [Problem("invalid_host", p, kind)]
    bare = host.lower().rstrip(".")
    if bare == "googleusercontent.com" or bare.endswith(".googleusercontent.com"):
        return [Problem("googleusercontent_host", p, kind)]
    return []


# --- whole values -----------------------------------------------------------------------------------------

def _text_problems(value: str, kind: str) -> list[Problem]:
    problems = []
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        problems.append(Problem("non_printable", {}, kind))
    if "*" in value:
        problems.append(Problem("wildcard", {}, kind))
    if BAD_PERCENT.search(value):
        problems.append(Problem("bad_percent_encoding", {}, kind))
    if ENCODED_NUL.search(value):
        problems.append(Problem("encoded_nul", {}, kind))
    return problems


def _decoded(text: str) -> str:
    for _ in range(3):  # double encodings such as %252e
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text.replace("\\", "/")


def _has_traversal(after_host: str) -> bool:
    return "/.." in _decoded(after_host)


def _split(value: str, kind: str):
    """urlsplit, or the problems that keep a value from being a URL at all."""
    if not value or not value.strip():
        return None, [Problem("empty", {}, kind)]
    try:
        parts = urlsplit(value)
    except ValueError:
        return None, [Problem("unparseable", {"value": value}, kind)]
    if not parts.scheme or not value.lower().startswith(parts.scheme.lower() + "://"):
        return None, [Problem("unparseable", {"value": value}, kind)]
    return parts, []


def _common_problems(value: str, kind: str) -> list[Problem]:
    parts, problems = _split(value, kind)
    if parts is None:
        return problems
    problems = _text_problems(value, kind)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https"):
        problems.append(Problem("scheme_not_allowed", {"scheme": scheme}, kind))
    if not host:
        problems.append(Problem("no_host", {}, kind))
        return problems
    if scheme == "http" and classify_host(host) != LOOPBACK:
        problems.append(Problem("scheme_not_https", {"host": host}, kind))
    if "@" in parts.netloc:
        problems.append(Problem("userinfo", {}, kind))
    try:
        parts.port
    except ValueError:
        problems.append(Problem("bad_port", {"value": value}, kind))
    if "*" not in host:
        problems.extend(_host_problems(host, kind))
    if parts.fragment or value.endswith("#"):
        problems.append(Problem("fragment", {"fragment": parts.fragment}, kind))
    return problems


def check_redirect_uri(uri: str) -> list[Problem]:
    """Every rule of Google's the Authorized redirect URI breaks ([] when Google would accept it)."""
    problems = _common_problems(uri, "redirect")
    parts, _ = _split(uri, "redirect")
    if parts is None or not parts.hostname:
        return problems
    if _has_traversal(parts.path + ("?" + parts.query if parts.query else "")):
        problems.append(Problem("path_traversal", {}, "redirect"))
    for name, val in parse_qsl(parts.query, keep_blank_values=True):
        if URL_IN_VALUE.match(_decoded(val)):
            problems.append(Problem("open_redirect", {"param": name}, "redirect"))
            break
    host = parts.hostname.lower()
    if host in URL_SHORTENERS and not ("/google-callback/" in parts.path or parts.path.endswith("/google-callback")):
        problems.append(Problem("url_shortener", {"host": host}, "redirect"))
    return problems


def check_origin(origin: str) -> list[Problem]:
    """Every rule of Google's the Authorized JavaScript origin breaks ([] when Google would accept it)."""
    problems = _common_problems(origin, "origin")
    parts, _ = _split(origin, "origin")
    if parts is None or not parts.hostname:
        return problems
    if parts.path == "/":
        problems.append(Problem("origin_trailing_slash", {}, "origin"))
    elif parts.path:
        problems.append(Problem("origin_has_path", {"path": parts.path}, "origin"))
    if parts.query or origin.rstrip("#").endswith("?"):
        problems.append(Problem("origin_has_query", {"query": parts.query}, "origin"))
    return problems


# --- derivation -------------------------------------------------------------------------------------------

def _with_scheme(address: str) -> str:
    """A scheme-less address gets https, except loopback, which Google lets use plain http."""
    if "://" in address:
        return address
    host = re.split(r"[/?#]", address, 1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host.split("]")[0] + "]"
    else:
        host = host.split(":")[0]
    scheme = "http" if classify_host(host) == LOOPBACK else "https"
    return f"{scheme}://{address}"


def origin_of(parts) -> str | None:
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = parts.netloc.rsplit(":", 1)[-1]
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def derive(address: str, callback_path: str = CLEAN_CALLBACK) -> tuple[str | None, str | None]:
    """(origin, redirect_uri) to register for a site address.

    A bare address (no path beyond "/", no query, no fragment) gets the callback path appended; anything
    longer is taken as a full redirect URI, verbatim, since Google matches redirect URIs exactly.
    """
    address = (address or "").strip()
    if not address:
        return None, None
    full = _with_scheme(address)
    try:
        parts = urlsplit(full)
    except ValueError:
        return None, None
    origin = origin_of(parts)
    if origin is None:
        return None, None
    is_bare = (parts.path in ("", "/") and not parts.query and "#" not in full and "@" not in parts.netloc)
    redirect_uri = origin + callback_path if is_bare else full
    return origin, redirect_uri


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one address: both values and every problem with them."""

    address: str
    origin: str | None
    redirect_uri: str | None
    host_kind: str
    origin_problems: tuple = ()
    redirect_problems: tuple = ()

    @property
    def problems(self) -> list[Problem]:
        """Problems of both values, each rule once (the redirect URI's wording first)."""
        seen, out = set(), []
        for problem in (*self.redirect_problems, *self.origin_problems):
            if problem.code not in seen:
                seen.add(problem.code)
                out.append(problem)
        return out

    @property
    def ok(self) -> bool:
        return self.origin is not None and not self.origin_problems and not self.redirect_problems

    def as_json(self) -> dict:
        return {"ok": self.ok, "origin": self.origin, "redirect_uri": self.redirect_uri,
                "problems": [p.as_dict() for p in self.problems]}


def check_address(address: str, callback_path: str = CLEAN_CALLBACK) -> Verdict:
    """Derive both values from a site address (or a full redirect URI) and check them."""
    origin, redirect_uri = derive(address, callback_path)
    if origin is None:
        _, problems = _split(address, "redirect")
        if not problems:
            problems = [Problem("no_host", {}, "redirect")]
        return Verdict(address, None, None, INVALID, (), tuple(problems))
    host = urlsplit(origin).hostname or ""
    return Verdict(address, origin, redirect_uri, classify_host(host),
                   tuple(check_origin(origin)), tuple(check_redirect_uri(redirect_uri)))
