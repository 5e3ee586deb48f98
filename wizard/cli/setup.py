"""Commands: check-uri, doctor, settings get/set/list, rotate-key (the administrator's shell side of the wizard)."""
import json
import sys
from functools import wraps

import click
from flask import current_app
from flask.cli import with_appcontext

from wizard.crypto import DecryptionError
from wizard.google.rules import CALLBACK_FORMS, check_address
from wizard.settings import registry
from wizard.settings import values as services
from wizard.setup import doctor as checks


def in_request(fn):
    """Messages are rendered through Flask-Babel, whose locale selector reads the request: give it one (no
    Accept-Language, so the default locale)."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        with current_app.test_request_context():
            return fn(*args, **kwargs)

    return with_appcontext(wrapper)


@click.command("check-uri")
@click.argument("address")
@click.option("--callback", type=click.Choice(sorted(CALLBACK_FORMS)), default="clean", show_default=True,
              help="Callback form appended to a bare site address.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check_uri(address, callback, as_json):
    """Check ADDRESS (a site address or a full redirect URI) against Google's registration rules.

    Exit status: 0 when Google would accept both values, 1 when not, 2 for a usage error."""
    verdict = check_address(address, CALLBACK_FORMS[callback])
    if as_json:
        click.echo(json.dumps(verdict.as_json(), ensure_ascii=False))
    else:
        _print_verdict(verdict)
    sys.exit(0 if verdict.ok else 1)


def _print_verdict(verdict):
    click.echo(f"Authorized JavaScript origin: {verdict.origin or '-'}")
    click.echo(f"Authorized redirect URI:      {verdict.redirect_uri or '-'}")
    click.echo(f"Host kind:                    {verdict.host_kind}")
    if verdict.ok:
        click.echo("OK: Google accepts both values.")
        if verdict.host_kind == "loopback":
            click.echo("Note: only a browser running on this server can use a localhost address.")
        return
    for problem in verdict.problems:
        click.echo(f"FAIL [{problem.code}] {problem.message}")
        click.echo(f"     Google says: {problem.google_message}")
        click.echo(f"     Fix: {problem.fix}")


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@in_request
def doctor(as_json):
    """Check the installation: database, migrations, Redis, worker, site address, credentials, accounts.

    Exit status 1 when any check fails."""
    results = checks.run()
    report = checks.as_json(results)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        for r in results:
            click.echo(f"{r.status.upper():4} {r.name}: {r.detail}")
            if r.fix and r.status != "ok":
                click.echo(f"     Fix: {r.fix}")
    sys.exit(0 if report["ok"] else 1)


@click.group("settings")
def settings_group():
    """System settings (the same registry as /admin/settings)."""


@settings_group.command("list")
@in_request
def settings_list():
    for defn in registry.SETTINGS:
        click.echo(f"{defn.code:28} {services.display_value(defn.code)!s:40} {defn.name}")


@settings_group.command("get")
@click.argument("code")
@in_request
def settings_get(code):
    """Print a setting's value (a secret is never printed: only whether it is set)."""
    if code not in registry.BY_CODE:
        raise click.BadParameter(f"unknown setting; known: {', '.join(registry.BY_CODE)}", param_hint="CODE")
    if registry.definition(code).secret:
        click.echo("(set, hidden)" if services.is_set(code) else "(not set)")
        return
    value = services.get_setting(code)
    click.echo("" if value is None else value)


@settings_group.command("set")
@click.argument("code")
@click.argument("value", required=False)
@in_request
def settings_set(code, value):
    """Set a setting. VALUE for ordinary settings; secrets are read from stdin (or a hidden prompt), never
    from the command line, which other users can see in the process list."""
    if code not in registry.BY_CODE:
        raise click.BadParameter(f"unknown setting; known: {', '.join(registry.BY_CODE)}", param_hint="CODE")
    secret = registry.definition(code).secret
    if secret and value is not None:
        raise click.UsageError(f"{code} is a secret: give it on stdin, not as an argument")
    if value is None:
        if sys.stdin.isatty():
            value = click.prompt(code, hide_input=secret)
        else:
            value = sys.stdin.readline().rstrip("\r\n")
    try:
        services.set_setting(code, value, actor="command line")
    except services.SettingError as exc:
        click.echo(f"{code}: {exc.message.render()}", err=True)
        sys.exit(1)
    click.echo(f"{code} saved")


@click.command("rotate-key")
@in_request
def rotate_key():
    """Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS (put the new key first, run
    this, then drop the old key)."""
    try:
        results = services.rotate_all()
    except DecryptionError as exc:
        click.echo(f"rotate-key: {exc}; keep the old key in ENCRYPTION_KEYS until this succeeds", err=True)
        sys.exit(1)
    for name, count in results.items():
        click.echo(f"{name}: {count} value(s) re-encrypted")


def register(cli):
    cli.add_command(check_uri)
    cli.add_command(doctor)
    cli.add_command(settings_group)
    cli.add_command(rotate_key)
