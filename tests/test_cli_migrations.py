"""The models can be migrated with Alembic (Flask-Migrate, batch mode for SQLite): generate a revision from the
models into a scratch folder, apply it to an empty database, and find no difference left with the models."""
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import init, migrate, upgrade
from sqlalchemy import inspect

from config import TestingConfig
from wizard import create_app
from wizard.extensions import db


def test_models_migrate_from_scratch(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url,
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/migrated.db")
    directory = tmp_path / "migrations"
    with app.app_context():
        init(directory=str(directory))
        # Revisions name the models' own column types (e.g. wizard.models.crm.UTCDateTime): the revision
        # template must import them (the project's wizard/migrations/script.py.mako needs the same line).
        template = directory / "script.py.mako"
        template.write_text(template.read_text().replace("import sqlalchemy as sa\n",
                                                         "import sqlalchemy as sa\nimport wizard.models\n"))
        migrate(directory=str(directory), message="initial")
        upgrade(directory=str(directory))
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
    assert set(db.metadata.tables) <= tables and "alembic_version" in tables
    assert differences == []
    assert len(list(Path(directory, "versions").glob("*.py"))) == 1
