"""Administration commands: users and the database schema."""
import sys

import click
from flask.cli import AppGroup
from flask_migrate.cli import db as db_group
from sqlalchemy import select

from wizard.auth.forms import MIN_PASSWORD
from wizard.extensions import db
from wizard.models import User


def read_password() -> str:
    """From a hidden prompt on a terminal, else the first line of stdin: never from argv (process lists)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("admin")


@commands.group("user")
def user_group():
    """Users who log in."""


@user_group.command("create")
@click.option("--admin", is_flag=True, help="Give the user the administrator role.")
@click.argument("email")
def create_user(admin, email):
    """Create a user; the password is read from a prompt or stdin."""
    email = User.normalize_email(email)
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"a user {email} already exists")
    password = read_password()
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    user = User(email=email, role="admin" if admin else "user")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {user.role} {email}")


def register(cli):
    cli.add_command(db_group)
    for command in commands.commands.values():
        cli.add_command(command)
