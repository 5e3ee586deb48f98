"""The models can be migrated with Alembic (Flask-Migrate, batch mode for SQLite): generate a revision from the
models into a scratch folder, apply it to an empty database, and compare with what the models declare."""
from flask_migrate import init, migrate, upgrade
from sqlalchemy import inspect

from config import TestingConfig
from wizard import create_app
from wizard.extensions import db


def test_models_migrate_from_scratch(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url,
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/migrated.db")
    directory = str(tmp_path / "migrations")
    with app.app_context():
        init(directory=directory)
        migrate(directory=directory, message="initial")
        upgrade(directory=directory)
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
