"""Locale selection and the message catalogues.

Each area of the product keeps its own Russian catalogue, `translations/ru/LC_MESSAGES/<area>.po`, so areas
are translated independently; they are merged and compiled into one `messages.mo` by the app itself whenever
a .po is newer than the compiled file (no manual `pybabel compile` step). In a checkout the compiled file goes
beside the sources; an installed product never writes into its package (root installs it, a service user runs
it), so there it goes into the instance folder.
"""
import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_login import current_user

from config import IN_CHECKOUT

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# The Google emulator is its own WSGI app and reads its own catalogue; its strings imitate Google's wording
# ("Вход через аккаунт Google"), which must not leak into the product's pages.
SEPARATE_CATALOGUES = {"emulator.po"}


def product_catalogues(messages_dir: Path):
    return sorted(p for p in messages_dir.glob("*.po") if p.name not in SEPARATE_CATALOGUES)


def init_app(app):
    compiled = TRANSLATIONS
    if not IN_CHECKOUT:
        compiled = Path(app.instance_path) / "translations"
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    compile_catalogues(TRANSLATIONS, compiled)


def compile_catalogues(root: Path = TRANSLATIONS, target_root: Path | None = None):
    for lang_dir in root.iterdir():
        messages_dir = lang_dir / "LC_MESSAGES"
        if not messages_dir.is_dir():
            continue
        sources = product_catalogues(messages_dir)
        target_dir = (target_root or root) / lang_dir.name / "LC_MESSAGES"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / "messages.mo"
        stamp = target_dir / "messages.mo.stamp"
        # Recompile when any source changed, appeared or went away (mtimes alone miss a removed catalogue).
        sources_state = "\n".join(f"{p.name} {p.stat().st_mtime_ns} {p.stat().st_size}" for p in sources)
        if target.exists() and stamp.exists() and stamp.read_text() == sources_state:
            continue
        merged = Catalog(locale=lang_dir.name)
        for source in sources:
            with source.open("rb") as fh:
                part = read_po(fh, locale=lang_dir.name)
            for message in part:
                if message.id and message.string and not message.fuzzy:
                    merged.delete(message.id, message.context)
                    merged[message.id] = message
        tmp = target.with_suffix(f".mo.{os.getpid()}.tmp")  # processes starting at once must not share it
        with tmp.open("wb") as fh:
            write_mo(fh, merged)
        tmp.replace(target)
        stamp.write_text(sources_state)


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: the configured default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    return getattr(current_user, "timezone", None) or None
