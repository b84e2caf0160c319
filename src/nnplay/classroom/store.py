"""The class database: one table of finished runs, a schema version, transactional writes.

    store = ClassStore.open(None, "Period 3")          # SQLite in the user data folder
    store = ClassStore.open("postgresql://u:p@host/db", "Period 3")
    rid = store.record_mnist("ada", owner, cfg, test_accuracy=0.97, seconds=4.2, curve={...})
    store.delete_run(rid, owner)                        # only the browser that made it can

Why SQLAlchemy Core: the same table definitions and statements run on SQLite (the
embedded default: one file, nothing to install) and on PostgreSQL (a teacher's school
server), so the tests of one are the tests of the other.

Crash safety: every write is one transaction (`engine.begin()`), committed before the
call returns. SQLite runs in WAL mode with synchronous=FULL, so a committed run
survives a killed server (and a power cut); PostgreSQL is durable by default. A run
that was still training when the server died was never written, so it is not "lost".

Schema versions: the table `nnplay_schema` holds one row with the version this
database is at. Opening a database runs the missing steps of MIGRATIONS in order,
each in the same transaction as the new version number, under a lock (SQLite:
BEGIN IMMEDIATE, PostgreSQL: an advisory lock), so two servers starting on one
database do not both migrate it. A database newer than this nnplay is refused.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlalchemy as sa

from nnplay.engine.errors import ConfigError

SCHEMA_VERSION = 2
MAX_NICK = 40
KINDS = ("gates", "mnist")
_LOCK_ID = 7_160_016  # the PostgreSQL advisory lock taken while migrating


def _run_columns(version: int) -> list[sa.Column]:
    """The columns of `class_runs` as schema `version` has them."""
    cols = [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("class_name", sa.String(80), nullable=False, index=True),
        sa.Column("nickname", sa.String(MAX_NICK), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),  # a random token kept by the student's browser
        sa.Column("kind", sa.String(8), nullable=False),  # gates | mnist
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),  # the lab's whole config (to_dict())
        # gate runs
        sa.Column("gate", sa.String(16)), sa.Column("hidden", sa.String(40)), sa.Column("activation", sa.String(16)),
        sa.Column("lr", sa.Float), sa.Column("solved", sa.Boolean), sa.Column("epochs", sa.Integer),
        sa.Column("final_loss", sa.Float), sa.Column("solved_epoch", sa.Integer),
        # MNIST runs
        sa.Column("model", sa.String(16)), sa.Column("test_accuracy", sa.Float), sa.Column("seconds", sa.Float),
    ]
    if version >= 2:
        cols.append(sa.Column("curve", sa.JSON))  # v2: the run's curves, for "click a point to open it"
    return cols


META = sa.MetaData()
SCHEMA = sa.Table("nnplay_schema", META, sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("version", sa.Integer, nullable=False))
RUNS = sa.Table("class_runs", META, *_run_columns(SCHEMA_VERSION))


def _v1(conn: sa.Connection) -> None:
    v1 = sa.MetaData()
    sa.Table("class_runs", v1, *_run_columns(1))
    v1.create_all(conn)


def _v2(conn: sa.Connection) -> None:
    json_type = sa.JSON().compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE class_runs ADD COLUMN curve {json_type}")
    conn.exec_driver_sql("CREATE INDEX ix_class_runs_class_kind ON class_runs (class_name, kind)")


MIGRATIONS = {1: _v1, 2: _v2}  # version -> the step that brings version-1 to it


def default_db_path() -> Path:
    """`$XDG_DATA_HOME/nnplay/classes.db` (default ~/.local/share/nnplay/classes.db)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "nnplay" / "classes.db"


def resolve_url(db: str | os.PathLike | None) -> str:
    """None -> the default SQLite file; a path -> SQLite there; a URL stays a URL.
    postgresql:// (or postgres://) uses psycopg 3 unless psycopg2 is the one installed."""
    if db is None or str(db) == "":
        db = default_db_path()
    text = str(db)
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    scheme, rest = text.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        try:
            import psycopg  # noqa: F401
            scheme = "postgresql+psycopg"
        except ImportError:
            scheme = "postgresql"  # SQLAlchemy's default driver, psycopg2
    return f"{scheme}://{rest}"


def _sqlite_engine(url: str) -> sa.Engine:
    # isolation_level=None: the sqlite3 module's own implicit transactions are off, and
    # SQLAlchemy's BEGIN (below) starts real ones, DDL included (SQLAlchemy's recipe).
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = conn.get_execution_options().get("nnplay_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(db=None) -> sa.Engine:
    url = resolve_url(db)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    try:
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except ModuleNotFoundError as e:
        raise ConfigError(f"--db {url.split('://')[0]}://... needs the database driver: pip install "
                          f"'nnplay[postgres]' ({e.name} is missing)") from None


def migrate(engine: sa.Engine) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it was at (0 = empty)."""
    with engine.connect().execution_options(nnplay_immediate=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        SCHEMA.create(conn, checkfirst=True)
        found = conn.execute(sa.select(SCHEMA.c.version).where(SCHEMA.c.id == 1)).scalar()
        start = found or 0
        if start > SCHEMA_VERSION:
            raise ConfigError(f"the class database is at schema version {start}, newer than this nnplay "
                              f"understands ({SCHEMA_VERSION}); upgrade nnplay")
        for version in range(start + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](conn)
        if found is None:
            conn.execute(SCHEMA.insert().values(id=1, version=SCHEMA_VERSION))
        elif start < SCHEMA_VERSION:
            conn.execute(SCHEMA.update().where(SCHEMA.c.id == 1).values(version=SCHEMA_VERSION))
    return start


def schema_version(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("nnplay_schema"):
            return 0
        return conn.execute(sa.select(SCHEMA.c.version)).scalar() or 0


def _hidden_text(hidden) -> str:
    return "-".join(str(int(h)) for h in hidden) if hidden else "none"


def _class_name(class_name: str) -> str:
    name = " ".join(str(class_name or "").split())
    if not name or len(name) > 80:
        raise ConfigError("a class name has 1 to 80 characters, e.g. --class 'Period 3'")
    return name


def _nickname(nickname: str) -> str:
    nick = " ".join(str(nickname or "").split())
    if not nick:
        raise ConfigError("choose a nickname first")
    if len(nick) > MAX_NICK:
        raise ConfigError(f"a nickname has at most {MAX_NICK} characters")
    return nick


class ClassStore:
    """One class's runs in one database (several classes can share a database)."""

    def __init__(self, engine: sa.Engine, class_name: str):
        self.engine, self.class_name = engine, _class_name(class_name)

    @classmethod
    def open(cls, db, class_name: str) -> "ClassStore":
        _class_name(class_name)  # a bad name is refused before any file is made
        engine = make_engine(db)
        try:
            migrate(engine)
        except sa.exc.OperationalError as e:
            engine.dispose()
            raise ConfigError(f"cannot open the class database {engine.url.render_as_string()}: "
                              f"{str(e.orig).strip().splitlines()[0]}") from None
        return cls(engine, class_name)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def _insert(self, replaces: int | None = None, **values) -> int:
        values.update(class_name=self.class_name, created_at=dt.datetime.now(dt.timezone.utc))
        with self.engine.begin() as conn:  # one transaction: the run is stored whole or not at all
            if replaces is not None:  # the same run, further trained: its newer numbers replace the old
                conn.execute(RUNS.delete().where(RUNS.c.id == int(replaces), RUNS.c.owner == values["owner"]))
            return int(conn.execute(RUNS.insert().values(**values)).inserted_primary_key[0])

    def record_gate(self, nickname: str, owner: str, config: dict, *, solved: bool, epochs: int,
                    final_loss: float | None, solved_epoch: int | None = None, replaces: int | None = None) -> int:
        """A finished gate run (`epochs` trained; `solved_epoch` the first at 100%); returns its id.
        `replaces`: the id this owner's same run had when recorded before (deleted in the same transaction)."""
        return self._insert(replaces, nickname=_nickname(nickname), owner=str(owner), kind="gates", config=config,
                            gate=str(config.get("gate")), hidden=_hidden_text(config.get("hidden")),
                            activation=config.get("activation"), lr=float(config.get("lr")), solved=bool(solved),
                            epochs=int(epochs), final_loss=_finite(final_loss),
                            solved_epoch=int(solved_epoch) if solved and solved_epoch is not None else None)

    def record_mnist(self, nickname: str, owner: str, config: dict, *, test_accuracy: float | None,
                     seconds: float, curve: dict | None = None) -> int:
        """A finished MNIST run (accuracy on the test digits it was measured on); returns its id."""
        return self._insert(nickname=_nickname(nickname), owner=str(owner), kind="mnist", config=config,
                            model=str(config.get("model")), lr=float(config.get("lr")),
                            epochs=int(config.get("epochs", 0)), test_accuracy=_finite(test_accuracy),
                            seconds=float(seconds), curve=curve)

    def list_runs(self, kind: str | None = None, *, with_curves: bool = False) -> list[dict]:
        """This class's runs, oldest first, as plain dicts (curves only when asked)."""
        cols = [c for c in RUNS.c if with_curves or c.name != "curve"]
        q = sa.select(*cols).where(RUNS.c.class_name == self.class_name).order_by(RUNS.c.id)
        if kind is not None:
            q = q.where(RUNS.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def get_run(self, run_id: int) -> dict | None:
        q = sa.select(RUNS).where(RUNS.c.id == int(run_id), RUNS.c.class_name == self.class_name)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return dict(row._mapping) if row is not None else None

    def delete_run(self, run_id: int, owner: str) -> bool:
        """Delete a run if `owner` made it. True if one was deleted."""
        q = RUNS.delete().where(RUNS.c.id == int(run_id), RUNS.c.owner == str(owner),
                                RUNS.c.class_name == self.class_name)
        with self.engine.begin() as conn:
            return conn.execute(q).rowcount == 1

    def reset(self) -> int:
        """The teacher's "reset class": delete every run of this class; returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(RUNS.delete().where(RUNS.c.class_name == self.class_name)).rowcount

    def version(self) -> tuple[int, int]:
        """(number of runs, highest id): changes whenever a run is added or deleted, so a page can
        redraw only then. Cheap, and seen by every server sharing the database."""
        q = sa.select(sa.func.count(), sa.func.max(RUNS.c.id)).where(RUNS.c.class_name == self.class_name)
        with self.engine.connect() as conn:
            n, top = conn.execute(q).one()
        return int(n), int(top or 0)

    def count(self) -> int:
        q = sa.select(sa.func.count()).select_from(RUNS).where(RUNS.c.class_name == self.class_name)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar())

    def close(self) -> None:
        self.engine.dispose()


def _finite(v) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if v == v and abs(v) != float("inf") else None  # NaN/inf: not storable as JSON or in PostgreSQL
