"""A throwaway PostgreSQL server for the class-database tests (import as `from pgserver import ...`).

    url = start_postgres(folder)   # "postgresql://postgres@127.0.0.1:PORT/postgres", or None
    ...
    stop_postgres(folder)

In order:
1. NNPLAY_TEST_PG_URL, if set, is used as is (a server someone else runs; it must be
   a database the tests may fill and empty);
2. otherwise Debian's PostgreSQL binaries (`apt-get install postgresql`, found in
   /usr/lib/postgresql/*/bin or on PATH) start a private cluster in `folder`: initdb
   with trust auth, listening on 127.0.0.1 and a free port only, socket in the folder.
   As root it runs as the `postgres` user (the server refuses to run as root).
3. With neither, None: the tests that need it skip and say why.
Nothing is left behind: stop_postgres stops the server; the folder is the caller's tmp dir.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from netutil import free_port

WHY_SKIPPED = ("no PostgreSQL: apt-get install postgresql (its initdb/pg_ctl are used for a private "
               "server), or set NNPLAY_TEST_PG_URL")


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def start_postgres(folder: Path) -> str | None:
    url = os.environ.get("NNPLAY_TEST_PG_URL")
    if url:
        return url
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        return None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            return None
    folder = Path(folder)
    data = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(folder, user.pw_uid, user.pw_gid)
        os.chmod(folder, 0o700)
    port = free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                    "--no-sync", "-E", "UTF8"]), **run)
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l",
                                    str(folder / "server.log"), "-w", "-t", "60", "start"]), **run)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop_postgres(folder: Path) -> None:
    if os.environ.get("NNPLAY_TEST_PG_URL"):
        return
    bindir, data = _bindir(), Path(folder) / "data"
    if bindir is not None and (data / "postmaster.pid").exists():
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True, timeout=60)
