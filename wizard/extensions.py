"""Extensions, unbound: each is initialised once by create_app()."""
import orjson
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations work the same on SQLite (batch mode) and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def json_column_text(value) -> str:
    """How JSON columns are written: orjson, several times the standard encoder's speed (a first sync writes
    three JSON columns per contact); text, as sqlite3 stores it. Keys that are not strings become strings, as
    the standard encoder makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns are read with orjson too (the engine reads every pair's base snapshot on a full listing).
db = SQLAlchemy(model_class=Base, engine_options={"json_serializer": json_column_text,
                                                  "json_deserializer": orjson.loads})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address)


def begin_write() -> None:
    """On SQLite, open the session's transaction as a writer (BEGIN IMMEDIATE) unless one is open.

    pysqlite begins a transaction only before a data change, so a savepoint opened first starts a *deferred*
    transaction: it reads under a SHARED lock, then asks for the write lock. If another process then holds the
    write lock and is committing, SQLite refuses at once ("database is locked", its busy timeout never
    applies: waiting could deadlock). Taking the write lock first makes the other writer wait its turn instead.
    Other databases lock rows, not the file: nothing to do."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
