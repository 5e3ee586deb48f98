"""Walking the product's HTML pages from the URL map, and reading what a page would run in a browser."""
from html.parser import HTMLParser

from wizard.settings.registry import SETTINGS
from wizard.setup.steps import KEYS

# Not pages of the product: assets, the JSON API and probes, and OAuth callbacks (tested with real flows).
NOT_PAGES = ("static", "bootstrap.static", "main.healthz", "main.readyz", "accounts.callback",
             "accounts.legacy_callback", "setup.roundtrip_return")


def argument_values(world) -> dict:
    return {
        "contact_id": [world["contact"].id], "activity_id": [world["activity"].id],
        "account_id": [world["account"].id], "tag_id": [world["tag"].id],
        "token_id": [world["token_row"].id],
        # The administrator's own account: every action on it either works harmlessly or is refused as the
        # last administrator's, so the walks never lock their own users out. No login session has this id.
        "user_id": [world["admin"].id], "session_id": [999999],
        "conflict_id": [1], "guard_id": [1], "issue_id": [1], "run_id": [1],
        "code": [s.code for s in SETTINGS], "key": list(KEYS), "token": ["not-a-real-token"],
    }


def expand(rule, values):
    """Every URL for a rule: one per value of its (single) variable argument, or the rule itself."""
    urls = [rule.rule]
    for name in sorted(rule.arguments):
        urls = [u.replace(f"<{conv}:{name}>" if f"<{name}>" not in u else f"<{name}>", str(v))
                for u in urls for v in values[name] for conv in [_converter(rule.rule, name)]]
    return urls


def _converter(text, name):
    start = text.find(f":{name}>")
    if start < 0:
        return ""
    return text[text.rfind("<", 0, start) + 1:start]


def page_urls(app, world, method="GET"):
    values = argument_values(world)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
            continue
        for url in expand(rule, values):
            yield rule.endpoint, url


class ScriptFinder(HTMLParser):
    """Inline <script> bodies, on*= event handlers and javascript: links: what a strict CSP would block."""

    def __init__(self):
        super().__init__()
        self.inline_scripts, self.handlers, self.js_urls = [], [], []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.inline_scripts.append(self.getpos())
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name.lower() in ("href", "src", "action", "formaction") and (value or "").strip().lower() \
                    .startswith("javascript:"):
                self.js_urls.append(f"<{tag} {name}={value!r}>")


def scan(html: str) -> ScriptFinder:
    finder = ScriptFinder()
    finder.feed(html)
    return finder


def script_src(csp: str) -> str:
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    return directives.get("script-src") or directives.get("default-src", "")
