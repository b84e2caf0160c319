"""Fixtures for the class database: every store test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from pgserver import WHY_SKIPPED, start_postgres, stop_postgres


@pytest.fixture(scope="session")
def pg_url():
    """A private PostgreSQL server for the session (tests/pgserver.py), or a skip saying how to get one."""
    folder = Path(tempfile.mkdtemp(prefix="nnplay-pg-"))
    try:
        url = start_postgres(folder)
    except Exception as e:  # noqa: BLE001 - a server that will not start is a skip with its reason
        pytest.skip(f"PostgreSQL did not start: {str(e)[:200]}")
    if url is None:
        pytest.skip(WHY_SKIPPED)
    yield url
    stop_postgres(folder)


def _empty(url: str) -> None:
    from nnplay.classroom.store import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for table in ("class_runs", "nnplay_schema"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database: a new SQLite file, or the session's PostgreSQL with the tables dropped."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'class.db'}"
    url = request.getfixturevalue("pg_url")
    _empty(url)
    return url
