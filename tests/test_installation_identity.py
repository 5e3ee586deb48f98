"""The installation's identity lives in the database (issue #18): created once, or adopted from what an older
version used (INSTALLATION_ID, else the instance folder's installation.id), then the same for every app."""
import pytest

from tests.apps import app_on_fresh_database
from wizard.settings.installation import ensure_identity, installation_id


@pytest.fixture
def overrides(tmp_path, redis_server):
    return {"INSTANCE_PATH": str(tmp_path / "first"), "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}", "INSTALLATION_ID": None}


def second_app(tmp_path, overrides, **more):
    from config import TestingConfig
    from wizard import create_app

    return create_app(TestingConfig, **{**overrides, "INSTANCE_PATH": str(tmp_path / "second"), **more})


def test_created_once_and_read_by_an_app_with_another_instance_folder(tmp_path, overrides):
    with app_on_fresh_database(**overrides):
        first = ensure_identity()
        assert first.source == "created" and first.created_now and len(first.value) == 32
        other = second_app(tmp_path, overrides)
        with other.app_context():
            assert installation_id() == first.value
            assert ensure_identity().created_now is False
        assert not (tmp_path / "second" / "installation.id").exists()  # nothing per machine any more


def test_an_instance_folder_id_is_adopted_and_a_different_one_elsewhere_is_reported(tmp_path, overrides):
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / "installation.id").write_text("older-machine-id\n")
    with app_on_fresh_database(**overrides):
        adopted = ensure_identity()
        assert (adopted.value, adopted.source) == ("older-machine-id", "instance_file")
        (tmp_path / "second").mkdir()
        (tmp_path / "second" / "installation.id").write_text("another-machine-id")
        with second_app(tmp_path, overrides).app_context():
            seen = ensure_identity()
            assert seen.value == "older-machine-id"
            assert seen.ignored == [("instance_file", "another-machine-id")]


def test_the_variable_wins_over_the_instance_file_when_adopting(tmp_path, overrides):
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / "installation.id").write_text("from-file")
    with app_on_fresh_database(**{**overrides, "INSTALLATION_ID": "from-env"}):
        identity = ensure_identity()
        assert (identity.value, identity.source) == ("from-env", "environment")
        assert identity.ignored == [("instance_file", "from-file")]


def test_a_second_insert_loses_and_reads_the_first(tmp_path, overrides):
    """Two first starts at once: the row's fixed key makes the later insert fail; it reads the winner's."""
    from wizard.extensions import db
    from wizard.models.settings import Installation

    with app_on_fresh_database(**overrides) as app:
        with second_app(tmp_path, overrides).app_context():
            winner = ensure_identity().value
        db.session.add(Installation(id=1, installation_id="loser", source="created"))
        with pytest.raises(Exception):
            db.session.commit()
        db.session.rollback()
        assert ensure_identity().value == winner
        assert app.extensions.get("syncwizard.installation_id") is None
        assert installation_id() == winner
