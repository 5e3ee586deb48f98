"""Where a redirect may send a visitor: only to a page of this site. The one check every `next` passes (login,
the language switch, the contacts bulk form); it sits outside the layers so every area may use it."""
from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "main.index") -> str:
    """`target` when it is a local path, else the default page.

    Browsers read `\\` as `/` and ignore tabs/newlines inside URLs, so `/\\evil.com` or `/\t/evil.com`
    would leave the site: those are rejected along with anything that has a scheme or a host.
    """
    fallback = url_for(default_endpoint)
    if not target:
        return fallback
    if any(ch in target for ch in "\\\t\r\n") or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
