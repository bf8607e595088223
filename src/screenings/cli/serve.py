"""``screenings serve``: the calendar feeds and the schedule pages over HTTP, under
gunicorn."""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Annotated, Any

import typer

from screenings import rules
from screenings.cli.context import state
from screenings.errors import InvalidInput

Opt = typer.Option
# The server's deadlines (docs/security.md): for a request's line and headers, in all;
# for a client that takes no byte of an answer.
HEADER_TIMEOUT = 10
SEND_TIMEOUT = 30


def serve(
    ctx: typer.Context,
    host: Annotated[str, Opt("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, Opt("--port", help="The port to listen on.")] = 8000,
    workers: Annotated[
        int, Opt("--workers", help="Worker processes, each holding up to 1,000 connections.")
    ] = 2,
    threads: Annotated[
        int,
        Opt(
            "--threads",
            help="Requests each worker answers at once, each with a database connection; "
            "a client slow to send or to read holds none.",
        ),
    ] = 4,
    header_timeout: Annotated[
        int,
        Opt(
            "--header-timeout",
            help="Seconds a client has to send a request's line and headers, in all "
            "(and to start the next one on a kept-alive connection).",
        ),
    ] = HEADER_TIMEOUT,
    send_timeout: Annotated[
        int,
        Opt(
            "--send-timeout",
            help="Seconds a client may take no byte of an answer before it is closed.",
        ),
    ] = SEND_TIMEOUT,
    base_url: Annotated[
        str | None,
        Opt(
            "--base-url",
            help="The public address of the server, behind a proxy "
            "(default: $SCREENINGS_BASE_URL).",
        ),
    ] = None,
    access_log: Annotated[bool, Opt("--access-log", help="Log every request on stdout.")] = False,
) -> None:
    """Serve the calendar feeds over HTTP, read-only: /feeds/all.ics, and
    /feeds/{festivals,editions,venues,films,people}/SLUG.ics (or .json), with the
    filters of 'list' as query parameters; and the schedule pages, from / to each
    festival, edition, venue, film and person, with "Subscribe" links. Private
    screenings never appear.

    Subscribe to a feed's address in a calendar app; a re-import or an edit
    reaches it at the app's next refresh. The server never writes to the
    database, and refuses one that is not at this version's revision.

    Example: screenings serve --port 8000
    """
    if not host.strip():
        raise InvalidInput("--host: empty; expected an address, e.g. 127.0.0.1, 0.0.0.0 or ::1")
    if not 1 <= port <= 65535:
        raise InvalidInput(f"--port: expected 1 to 65535, got {port}")
    what = "--base-url" if base_url is not None else "SCREENINGS_BASE_URL"
    base_url = base_url or state(ctx).settings.base_url
    if base_url is not None:
        base_url = rules.site_address(base_url, what=what)
    if not 1 <= workers <= 64 or not 1 <= threads <= 64:
        raise InvalidInput(f"--{'threads' if 1 <= workers <= 64 else 'workers'}: expected 1 to 64")
    for option, seconds in (("--header-timeout", header_timeout), ("--send-timeout", send_timeout)):
        if not 1 <= seconds <= 3600:
            raise InvalidInput(f"{option}: expected 1 to 3600 seconds, got {seconds}")
    from screenings.web import FeedApp

    app_state = state(ctx)
    serving = app_state.servable()
    host = host.strip().strip("[]")
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # IPv6 in brackets
    _check_free(host, port)
    base = base_url or f"http://{address}"
    typer.echo(
        f"screenings: serving {serving}: the schedule at {base}/, every public screening's "
        f"feed at {base}/feeds/all.ics ({workers} worker(s) x {threads} request(s) at once; "
        "Ctrl-C stops)",
        err=True,
    )
    from screenings import server

    _gunicorn(
        # Made in each worker, once gevent has patched it: its locks are then gevent's.
        # The feed index names the address the client used, unless --base-url says.
        lambda: FeedApp(
            app_state.settings, base_url=base_url or "", access_log=access_log, threads=threads
        ),
        {
            "bind": address,
            "workers": workers,
            "threads": threads,
            "worker_class": server.worker(send_timeout),
            "keepalive": header_timeout,  # the gevent worker's deadline for reading a request
            "logger_class": server.Logger,
            "loglevel": "warning",
            "timeout": 120,
            "graceful_timeout": 10,
            # gunicorn's control socket (gunicornc) could reload or stop the server from
            # a file it makes in the user's runtime or home folder, shared by every
            # server there: a read-only server writes nothing and takes no orders.
            "control_socket_disable": True,
        },
    ).run()


def _check_free(host: str, port: int) -> None:
    """``InvalidInput`` naming the option at fault when ``host:port`` cannot be listened on."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"--host: cannot use {host!r}: {exc}") from None
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as exc:
        option = "--port" if exc.errno in {errno.EADDRINUSE, errno.EACCES} else "--host"
        raise InvalidInput(
            f"{option}: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None


def _gunicorn(make_app: Callable[[], Any], options: dict[str, Any]) -> Any:
    """gunicorn's embedding API: a BaseApplication whose workers each make their
    application with ``make_app``."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return make_app()

    return Server()
