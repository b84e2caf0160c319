"""`nnplay app`: serve the web app (127.0.0.1 only unless asked otherwise)."""

from __future__ import annotations

import sys

from nnplay.engine.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("app", help="serve the web app", description="Serve the nnplay web app.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this computer only; 0.0.0.0 exposes it to the network)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--share", action="store_true", help="also make a public gradio.live link (needs internet)")
    p.add_argument("--auth", metavar="USER:PASS", help="require this user name and password")
    p.add_argument("--max-trainings", type=int, default=None, metavar="N",
                   help="MNIST trainings allowed at once for all users; the rest wait in a queue "
                        "(default 1, or NNPLAY_MAX_TRAININGS)")
    g = p.add_argument_group("class mode (a whole class on one server)")
    g.add_argument("--class", dest="class_name", metavar="NAME",
                   help="record every finished run of each student (nickname asked once per browser) and "
                        "add the Class tab")
    g.add_argument("--db", metavar="PATH|URL",
                   help="class database: a SQLite file (default: the user data folder's nnplay/classes.db) or "
                        "postgresql://user:pass@host/db")
    g.add_argument("--teacher-auth", metavar="USER:PASS",
                   help="show the Class tab's view (and reset) only after signing in with these")
    g.add_argument("--ray", metavar="local|ADDRESS",
                   help="run MNIST trainings and gate API trainings as Ray tasks: 'local' starts Ray on this "
                        "machine, HOST:PORT joins a running cluster (pip install 'nnplay[cluster]')")
    p.set_defaults(func=run)


def parse_auth(text: str | None, flag: str = "--auth"):
    if text is None:
        return None
    user, sep, password = text.partition(":")
    if not sep or not user or not password:
        raise ConfigError(f"{flag} must look like user:password")
    return (user, password)


def open_class(args):
    """The class store for --class (with --db), or None; ConfigError for a bad combination."""
    if args.class_name is None:
        if args.db or args.teacher_auth:
            raise ConfigError("--db and --teacher-auth need --class NAME")
        return None
    from nnplay.classroom import ClassStore

    store = ClassStore.open(args.db, args.class_name)
    print(f"class {store.class_name!r}: runs are recorded in {store.url}", file=sys.stderr)
    return store


def run(args) -> int:
    auth = parse_auth(args.auth)
    teacher = parse_auth(args.teacher_auth, "--teacher-auth")
    if args.max_trainings is not None and not 1 <= args.max_trainings <= 64:
        raise ConfigError(f"--max-trainings must be from 1 to 64, got {args.max_trainings}")
    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 1 and 65535, got {args.port}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: binding {args.host} exposes nnplay to other computers on the network"
              + ("" if auth else "; consider --auth user:pass"), file=sys.stderr)
    if args.share:
        print("warning: --share publishes a public link that anyone who has it can open", file=sys.stderr)
    store = open_class(args)
    if args.ray:
        from nnplay.runtime import ray_backend

        ray_backend.use(args.ray)
    from nnplay.app.main import launch  # gradio is imported only when serving

    try:
        launch(host=args.host, port=args.port, share=args.share, auth=auth, max_trainings=args.max_trainings,
               classroom=store, teacher_auth=teacher)
    except OSError as e:
        reason = "the port is in use by another program" if "empty port" in str(e) else str(e)
        raise ConfigError(f"cannot serve on {args.host}:{args.port}: {reason}; "
                          f"try another port, e.g. --port {args.port + 1}") from None
    return 0
