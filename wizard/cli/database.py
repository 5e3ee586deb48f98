"""`syncwizard db`: Flask-Migrate's commands, with an `upgrade` that says what it did.

Flask-Migrate's own `db upgrade` prints nothing on success (the app owns logging, alembic.ini's is not
applied), so an operator following docs/deployment.md could not tell a fresh schema from a no-op or from a
database other than the one meant. Ours names the database (password hidden), the revisions applied, and the
installation's identity, created or adopted here once the schema holds it (wizard.settings.installation).
Every other subcommand is Flask-Migrate's.
"""
from dataclasses import dataclass, field

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, g
from flask.cli import with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as migrate_db

from wizard.extensions import db
from wizard.settings.installation import describe, ensure_identity


@dataclass
class UpgradeReport:
    """What an upgrade did: the database, its revision before and after, the revisions applied in order."""

    database: str
    before: str | None
    after: str | None
    applied: list = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Database: {self.database}"]
        if not self.applied:
            out.append(f"Schema already at revision {self.after}: nothing to apply.")
            return out
        out.append(f"Schema upgraded from {self.before or 'an empty database'} to revision {self.after}:")
        out += [f"  applied {revision}: {message}" for revision, message in self.applied]
        return out


def safe_url(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revisions_between(directory, before, after) -> list[tuple[str, str]]:
    """(revision, title) of each revision after `before` up to `after`, oldest first."""
    config = current_app.extensions["migrate"].migrate.get_config(directory)
    scripts = ScriptDirectory.from_config(config)
    if after is None or after == before:
        return []
    walked = list(scripts.iterate_revisions(after, before or "base"))
    return [(script.revision, (script.doc or "").strip().splitlines()[0] if script.doc else "")
            for script in reversed(walked)]


def upgrade_database(directory=None, revision="head") -> UpgradeReport:
    """Apply the migrations up to `revision` and report what changed."""
    before = current_revision(db.engine)
    upgrade(directory=directory, revision=revision)
    after = current_revision(db.engine)
    return UpgradeReport(safe_url(db.engine), before, after, revisions_between(directory, before, after))


class DatabaseGroup(click.Group):
    """Our subcommands first, then Flask-Migrate's."""

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or migrate_db.get_command(ctx, name)

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(migrate_db.list_commands(ctx)))


@click.group("db", cls=DatabaseGroup)
@click.option("-d", "--directory", default=None, help="Migration script directory (default: the product's).")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts.")
@with_appcontext
def db_group(directory, x_arg):
    """Database migrations (Flask-Migrate)."""
    g.directory = directory  # read by Flask-Migrate's subcommands, as its own group would set them
    g.x_arg = x_arg


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision):
    """Upgrade the schema to the latest revision (or REVISION) and say what was done."""
    report = upgrade_database(g.directory, revision)
    for line in report.lines():
        click.echo(line)
    if revision == "head":
        for line in describe(ensure_identity()):
            click.echo(line)


def register(cli):
    cli.add_command(db_group)
