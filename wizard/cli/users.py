"""Commands: user list, disable, enable, role, reset-link (the same operations as the Users pages, written to
the same audit log with "command line" as the actor). `user create` lives in wizard.cli.admin."""
import click
from flask import current_app
from flask.cli import with_appcontext

from wizard.users import links, services
from wizard.users.services import UserError


def _person(email):
    user = services.find(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


def _apply(operation, email, done):
    """Run one service operation; a refusal (e.g. the last administrator) exits 1 with its reason."""
    user = _person(email)
    with current_app.test_request_context():  # messages are translated through Flask-Babel
        try:
            result = operation(user)
        except UserError as error:
            raise click.ClickException(str(error.message)) from None
    click.echo(done.format(email=user.email, result=result))


@click.command("list")
@click.option("--search", "q", default="", help="Only e-mails or names containing this text.")
@with_appcontext
def list_users(q):
    """Every user: e-mail, role, status, name."""
    page = services.search(q, 1)
    for number in range(1, (page.pages or 1) + 1):
        for user in services.search(q, number).items:
            status = "active" if user.active else "disabled"
            click.echo(f"{user.email}\t{user.role}\t{status}\t{user.name}")


@click.command("disable")
@click.argument("email")
@with_appcontext
def disable(email):
    """Disable a user: sessions end, API tokens and Google sync stop; nothing is deleted."""
    _apply(lambda user: services.disable(None, user), email, "disabled {email}")


@click.command("enable")
@click.argument("email")
@with_appcontext
def enable(email):
    """Enable a disabled user again."""
    _apply(lambda user: services.enable(None, user), email, "enabled {email}")


@click.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "user"]))
@with_appcontext
def role(email, role):
    """Give a user the admin or the user role."""
    _apply(lambda user: services.set_role(None, user, role), email, f"{{email}} is now {role}")


@click.command("reset-link")
@click.argument("email")
@with_appcontext
def reset_link(email):
    """Print a one-time, expiring link with which the user chooses a new password."""
    def issue(user):
        return links.path(services.reset_link(None, user))

    def show(path):
        base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
        hours = current_app.config["USER_LINK_TTL_HOURS"]
        return f"{base}{path}" + ("" if base else "  (after the site's address)") + f"\nvalid {hours} h, once"

    _apply(lambda user: show(issue(user)), email, "{result}")


def register(cli):
    group = cli.commands["user"]  # made by wizard.cli.admin, which owns `user create`
    for command in (list_users, disable, enable, role, reset_link):
        group.add_command(command)
