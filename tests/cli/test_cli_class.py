"""`nnplay app` class-mode flags: bad combinations are one error line; a good one opens the database."""

from __future__ import annotations

import pytest

from nnplay.cli import main


@pytest.mark.parametrize("argv,message", [
    (["app", "--db", "x.db"], "error: --db and --teacher-auth need --class NAME"),
    (["app", "--class", "P3", "--teacher-auth", "nopassword"], "error: --teacher-auth must look like user:password"),
    (["app", "--class", "   "], "error: a class name has 1 to 80 characters, e.g. --class 'Period 3'"),
])
def test_bad_class_flags_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # a default database would go here, not in ~
    assert main(argv) == 2
    assert not (tmp_path / "nnplay").exists()  # refused before any file was made
    assert capsys.readouterr().err.strip().splitlines() == [message]


def test_a_bad_database_url_is_one_line(capsys):
    assert main(["app", "--class", "P3", "--db", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot open the class database postgresql+psycopg://")


def test_open_class_creates_the_database(tmp_path, capsys):
    from nnplay.cli import build_parser
    from nnplay.cli.app_cmd import open_class

    db = tmp_path / "sub" / "c.db"
    store = open_class(build_parser().parse_args(["app", "--class", "Period 3", "--db", str(db)]))
    assert store.class_name == "Period 3" and db.exists() and store.count() == 0
    assert f"runs are recorded in sqlite:///{db}" in capsys.readouterr().err
    store.close()
