import pytest

from config import ProductionConfig, TestingConfig
from wizard import create_app
from wizard.secrets import ConfigurationError


def test_index_renders(client):
    response = client.get("/")
    assert response.status_code in (200, 302)


def test_keys_generated_once_with_private_mode(tmp_path):
    app1 = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), SECRET_KEY=None, ENCRYPTION_KEYS=None)
    app2 = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), SECRET_KEY=None, ENCRYPTION_KEYS=None)
    assert app1.config["SECRET_KEY"] == app2.config["SECRET_KEY"]
    assert app1.config["ENCRYPTION_KEYS"] == app2.config["ENCRYPTION_KEYS"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "encryption_keys").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_keys(tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError):
        create_app(ProductionConfig, INSTANCE_PATH=str(tmp_path), SECRET_KEY=None, ENCRYPTION_KEYS="x")
    with pytest.raises(ConfigurationError):
        create_app(ProductionConfig, INSTANCE_PATH=str(tmp_path), SECRET_KEY="s", ENCRYPTION_KEYS=None)


def test_production_refuses_emulator_urls(tmp_path):
    with pytest.raises(ConfigurationError):
        create_app(ProductionConfig, INSTANCE_PATH=str(tmp_path), SECRET_KEY="s", ENCRYPTION_KEYS="k",
                   GOOGLE_TOKEN_URL="http://127.0.0.1:8765/token")
