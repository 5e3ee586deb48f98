"""Commands: personal API tokens (`syncwizard token create EMAIL`, `token list EMAIL`, `token revoke ID`)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from wizard.api.tokens import create_token, list_tokens, revoke_token
from wizard.extensions import db
from wizard.models import User


def find_user(email):
    user = db.session.scalar(select(User).where(User.email == User.normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user

# Commands are declared at module level on a group of their own; register() adds them to `syncwizard`.
commands = AppGroup("api")


@commands.group("token")
def token_group():
    """Personal API tokens for the JSON API (/api/v1)."""


@token_group.command("create")
@click.option("--name", default="cli", help="What the token is for.")
@click.argument("email")
def create(name, email):
    """Create a token for EMAIL and print it once (only its hash is stored)."""
    user = find_user(email)
    _token, value = create_token(user.id, name)
    click.echo(value)

@token_group.command("list")
@click.argument("email")
def list_(email):
    """List EMAIL's active tokens (id, prefix, name, last use)."""
    for token in list_tokens(find_user(email).id):
        used = token.last_used_at.isoformat() if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{used}")

@token_group.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke(email, token_id):
    """Revoke one of EMAIL's tokens."""
    if not revoke_token(find_user(email).id, token_id):
        raise click.ClickException(f"no active token {token_id} for {email}")
    click.echo(f"revoked token {token_id}")


def register(cli):
    for command in commands.commands.values():
        cli.add_command(command)
