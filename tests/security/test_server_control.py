"""The feed server opens no control socket.

gunicorn 25.1 and later open one by default, at ``$XDG_RUNTIME_DIR/gunicorn.ctl`` or
``~/.gunicorn/gunicorn.ctl``, through which ``gunicornc`` can reload or stop the server;
two servers share the path (the second unlinks the first's), and where the home folder
cannot be written every start logs an error. ``serve`` is read-only and writes nothing:
it turns the socket off. Here, a real ``screenings serve`` with its home and runtime
folders pointed at empty temporary ones leaves both empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from screenings.cli import run
from tests.test_web import start


@pytest.mark.parametrize("runtime", [True, False], ids=["XDG_RUNTIME_DIR", "no XDG_RUNTIME_DIR"])
def test_serve_opens_no_control_socket(
    runtime: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, run_dir = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    run_dir.mkdir()
    monkeypatch.setenv("HOME", str(home))
    if runtime:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir))
    else:
        monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    db = str(tmp_path / "catalogue.sqlite3")
    assert run(["--db", db, "db", "upgrade"]) == 0
    # The master opens its control socket once it has started its workers: by the time
    # one answers, gunicorn's socket would be there.
    server = start(db, "--workers", "1")
    try:
        assert server.get("/feeds/all.ics")[0] == 200
        made = sorted(str(path) for path in [*home.rglob("*"), *run_dir.rglob("*")])
    finally:
        server.process.terminate()
        _, errors = server.process.communicate(timeout=60)
    assert made == []
    assert server.process.returncode == 0 and "Control" not in errors, errors
