"""The schema is built by the project's own migrations (wizard/migrations), and they match the models: apply
them to an empty database, then find no difference left between the database and the models."""
import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, make_url

from config import TestingConfig
from wizard import create_app
from wizard.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "wizard" / "migrations"


def test_migrations_build_the_models_schema_and_go_back(tmp_path, redis_server):
    url = os.environ.get("DATABASE_URL_TEST") or f"sqlite:///{tmp_path}/migrated.db"
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url,
                     SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.drop_all()  # a shared server database may hold another app's tables
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=str(MIGRATIONS))
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
        downgrade(directory=str(MIGRATIONS), revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert set(db.metadata.tables) <= tables
    assert differences == []
    assert left == set()


def test_db_upgrade_says_what_it_did(tmp_path, redis_server):
    """`syncwizard db upgrade` names the database (no password), the revisions applied, then that a second
    upgrade had nothing to apply; Flask-Migrate's other subcommands are still there."""
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from wizard.cli import cli

    url = os.environ.get("DATABASE_URL_TEST") or f"sqlite:///{tmp_path}/reported.db"
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url,
                     SQLALCHEMY_DATABASE_URI=url, INSTALLATION_ID=None)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")

    def invoke(*args):
        result = CliRunner().invoke(cli, ["db", *args], obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
        return result.output

    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_script_config()).get_current_head()
    first = invoke("upgrade")
    database = first.splitlines()[0]
    assert database.startswith("Database: ")
    shown, meant = make_url(database.removeprefix("Database: ")), make_url(url)
    assert (shown.database, shown.host, shown.username) == (meant.database, meant.host, meant.username)
    assert shown.password == ("***" if meant.password else None)
    assert f"to revision {head}" in first and "initial schema" in first
    assert "Installation id: " in first and "(created now)" in first
    again = invoke("upgrade")
    assert f"already at revision {head}: nothing to apply" in again and "(created earlier)" in again
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision="base")


def _script_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
