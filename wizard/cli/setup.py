"""Commands: check-uri, doctor, settings get/set, rotate-key (the administrator's shell side of the wizard)."""
import json
import sys

import click
from wizard.google_rules import CALLBACK_FORMS, check_address


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
        return
    for problem in verdict.problems:
        click.echo(f"FAIL [{problem.code}] {problem.message}")
        click.echo(f"     Google says: {problem.google_message}")
        click.echo(f"     Fix: {problem.fix}")


def register(cli):
    cli.add_command(check_uri)
