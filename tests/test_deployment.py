"""Many servers, one database (#26): two ``screenings serve`` processes against one
PostgreSQL database see a change on their next request (each checks the catalogue's
revision), and the nginx example of ``docs/deployment.md`` (``docs/deploy/nginx.conf``)
passes ``nginx -t`` and, run in front of two servers, caches and revalidates by ETag."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PostgresServer
from tests.test_import import ROWS, write_csv
from tests.test_web import Response, Server, cli, free_port, start

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "deploy" / "nginx.conf"
HOST = "feeds.example.org"  # the example's server_name, and the servers' --base-url host
EDITION = "sheffield-doc-fest-2013"
# The Defector at 18:00 on 14 June 2013 (ROWS' S1), as each address writes it, before
# and after ``edit screening --at 19:15``.
SHOWN = {
    f"/feeds/editions/{EDITION}.ics": (b"20130614T180000", b"20130614T191500"),
    f"/feeds/editions/{EDITION}.json": (b"2013-06-14T18:00:00+01:00", b"2013-06-14T19:15:00+01:00"),
    f"/editions/{EDITION}": (b"18:00", b"19:15"),
}
# nginx counts in whole seconds: an answer kept for one second has expired two seconds on.
EXPIRED = 2.05
Key = tuple[str, str]  # an address and a content coding
NO_NGINX = "nginx is not installed (Debian: apt-get install -y nginx)"


@pytest.fixture
def catalogue(
    postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A new PostgreSQL database holding ROWS' Sheffield lineup."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = postgres_server.new_database()
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    return url


@contextlib.contextmanager
def _pair(url: str, *extra: str) -> Iterator[tuple[Server, Server]]:
    """Two servers on one database, each on its own port, started side by side and
    stopped at the end."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        starting = [
            pool.submit(start, url, "--workers", "1", "--threads", "2", *extra) for _ in range(2)
        ]
    started = [future.result() for future in starting if future.exception() is None]
    try:
        assert len(started) == 2, [future.exception() for future in starting]
        yield started[0], started[1]
    finally:
        _stop(*started)


def _stop(*servers: Server) -> None:
    """Stop ``servers`` at once (gunicorn's quick shutdown, SIGINT), those still running."""
    running = [server.process for server in servers if server.process.returncode is None]
    for process in running:
        process.send_signal(signal.SIGINT)
    for process in running:
        process.communicate(timeout=30)


@pytest.fixture
def servers(catalogue: str) -> Iterator[tuple[Server, Server]]:
    with _pair(catalogue) as pair:
        yield pair


def _defector_at_six(server: Server) -> int:
    """The id of the screening at 18:00 on 14 June, from the edition's JSON feed."""
    body = server.get(f"/feeds/editions/{EDITION}.json")[2]
    (found,) = (
        s["id"] for s in json.loads(body)["screenings"] if s["start"] == "2013-06-14T18:00:00+01:00"
    )
    return int(found)


def _every_address(server: Server, etags: dict[Key, str] | None = None) -> dict[Key, Response]:
    """``server``'s answers to each address of SHOWN in each representation, with the Host
    a proxy sends (a page's "Subscribe" links name it), conditional on ``etags``."""
    answers = {}
    for path in SHOWN:
        for encoding in ("identity", "gzip"):
            conditional = {"If_None_Match": etags[path, encoding]} if etags else {}
            answers[path, encoding] = server.get(
                path, Host=HOST, Accept_Encoding=encoding, **conditional
            )
    return answers


def _etags(answers: dict[Key, Response]) -> dict[Key, str]:
    return {key: headers["etag"] for key, (_, headers, _) in answers.items()}


def test_a_change_reaches_both_servers_on_their_next_request(
    servers: tuple[Server, Server],
) -> None:
    first, second = servers
    before = [_every_address(server) for server in servers]
    for answers in before:
        for (path, encoding), (status, headers, body) in answers.items():
            assert status == 200 and headers["cache-control"] == "public, max-age=300"
            assert headers["vary"] == "Accept-Encoding"
            assert SHOWN[path][0] in (gzip.decompress(body) if encoding == "gzip" else body)
    # The same bytes have the same ETag on both: a balancer may send a client's next
    # request, or a cache's revalidation, to either.
    old = _etags(before[0])
    assert _etags(before[1]) == old
    for server in servers:  # and each answers from its cache now
        assert {status for status, _, _ in _every_address(server, old).values()} == {304}

    screening = _defector_at_six(first)
    assert cli(first.url, "edit", "screening", str(screening), "--at", "19:15") == 0

    # The next request to each, a calendar's refresh with the ETag it has: the new bytes.
    after = [_every_address(server, old) for server in (second, first)]
    for answers in after:
        for (path, encoding), (status, headers, body) in answers.items():
            assert status == 200 and headers["etag"] != old[path, encoding], path
            shown = gzip.decompress(body) if encoding == "gzip" else body
            assert SHOWN[path][1] in shown and SHOWN[path][0] not in shown, path
    new = _etags(after[0])
    assert _etags(after[1]) == new
    for server in servers:  # either says 304 to the ETag the other gave
        for key, (status, headers, body) in _every_address(server, new).items():
            assert (status, body, headers["etag"]) == (304, b"", new[key]), key


def test_absolute_addresses_come_from_host_and_x_forwarded_proto(
    servers: tuple[Server, Server],
) -> None:
    """Without --base-url, the addresses the index and the pages name are built from the
    Host header and, from a proxy on 127.0.0.1 (gunicorn's forwarded_allow_ips), the
    scheme X-Forwarded-Proto gives."""
    for server in servers:
        status, _, body = server.get("/feeds", Host=HOST, X_Forwarded_Proto="https")
        assert status == 200 and json.loads(body)["all"] == f"https://{HOST}/feeds/all.ics"
        status, _, body = server.get("/feeds", Host=HOST)
        assert json.loads(body)["all"] == f"http://{HOST}/feeds/all.ics"
        status, _, body = server.get(f"/editions/{EDITION}", Host=HOST, X_Forwarded_Proto="https")
        assert f'href="webcal://{HOST}/feeds/editions/{EDITION}.ics"'.encode() in body
        assert server.get("/feeds", Host="bad host")[0] == 400


# --- The nginx example -----------------------------------------------------------------


@dataclass
class Proxy:
    """nginx from the example, its folder, and the ports it listens on."""

    folder: Path
    https: int
    http: int
    process: subprocess.Popen[str] | None = None

    def get(self, path: str, **headers: str) -> Response:
        """One request over TLS (the test's own certificate, not checked)."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.https, timeout=30, context=context
        )
        try:
            sent = {"Host": HOST, **{k.replace("_", "-"): v for k, v in headers.items()}}
            connection.request("GET", path, headers=sent)
            answer = connection.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            connection.close()

    def log(self) -> list[list[str]]:
        """nginx's access log: the upstream's address, status and the cache's status,
        then the request, per line."""
        path = self.folder / "access.log"
        return (
            [line.split(" ", 3) for line in path.read_text().splitlines()] if path.exists() else []
        )


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        pytest.skip(NO_NGINX)
    if shutil.which("openssl") is None:
        pytest.skip(
            "openssl is not installed, for the test's certificate (apt-get install -y openssl)"
        )
    return found


def _configure(folder: Path, upstreams: tuple[int, int], cache_for: str | None = None) -> Proxy:
    """The example in ``folder``: its ports, certificate and cache moved to the test's,
    included from a main configuration that runs nginx in the foreground with every file
    it writes in ``folder``.
    ``cache_for`` keeps answers that long instead of the server's max-age (300 s), so that
    a test sees a revalidation without waiting five minutes."""
    proxy = Proxy(folder, free_port(), free_port())
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    text = EXAMPLE.read_text()
    replacements = {
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{upstreams[0]};",
        "server 127.0.0.1:8002;": f"server 127.0.0.1:{upstreams[1]};",
        "listen 443 ssl;": f"listen 127.0.0.1:{proxy.https} ssl;",
        "listen 80;": f"listen 127.0.0.1:{proxy.http};",
        "/var/cache/nginx/screenings": str(folder / "cache"),
        "/etc/ssl/certs/feeds.example.org.pem": str(folder / "cert.pem"),
        "/etc/ssl/private/feeds.example.org.key": str(folder / "key.pem"),
    }
    if cache_for is not None:
        replacements["proxy_ignore_headers Vary;"] = (
            f"proxy_ignore_headers Vary Cache-Control; proxy_cache_valid 200 {cache_for};"
        )
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{EXAMPLE.name} no longer has {old!r}"
        text = text.replace(old, new)
    (folder / "screenings.conf").write_text(text)
    temporary = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as nobody, who cannot enter the test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    log_format upstream '$upstream_addr $upstream_status $upstream_cache_status "
        "$request';\n"
        f"    access_log {folder / 'access.log'} upstream;\n"
        f"{temporary}\n"
        f"    include {folder / 'screenings.conf'};\n"
        "}\n"
    )
    return proxy


def _nginx_command(nginx: str, proxy: Proxy, *extra: str) -> list[str]:
    folder = proxy.folder
    return [nginx, "-p", str(folder), "-e", str(folder / "error.log"),
            "-c", str(folder / "nginx.conf"), *extra]  # fmt: skip


def test_the_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _nginx()
    proxy = _configure(tmp_path, (8001, 8002))
    done = subprocess.run(
        _nginx_command(nginx, proxy, "-t"), check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert "[warn]" not in done.stderr, done.stderr


@contextlib.contextmanager
def _running(nginx: str, proxy: Proxy) -> Iterator[Proxy]:
    """nginx run in the foreground with ``proxy``'s configuration, stopped at the end."""
    proxy.process = subprocess.Popen(
        _nginx_command(nginx, proxy), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if proxy.process.poll() is not None:
                raise AssertionError(f"nginx stopped: {proxy.process.communicate()}")
            try:
                with socket.create_connection(("127.0.0.1", proxy.https), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen within 20 s"
                time.sleep(0.05)
        yield proxy
    finally:
        proxy.process.terminate()
        proxy.process.communicate(timeout=30)


Proxied = tuple[Proxy, tuple[Server, Server]]


@pytest.fixture
def proxied(catalogue: str, tmp_path: Path) -> Iterator[Proxied]:
    """Two servers (as docs/deployment.md starts them) and nginx in front of them, answers
    kept for one second."""
    nginx = _nginx()
    (tmp_path / "nginx").mkdir()
    with _pair(catalogue, "--base-url", f"https://{HOST}") as pair:
        proxy = _configure(tmp_path / "nginx", (pair[0].port, pair[1].port), cache_for="1s")
        with _running(nginx, proxy) as running:
            yield running, pair


def _until(proxy: Proxy, what: Callable[[list[list[str]]], bool]) -> None:
    """Waits a moment for nginx's access log to say ``what`` (it is written after the
    answer is sent)."""
    deadline = time.monotonic() + 5
    while not what(proxy.log()):
        assert time.monotonic() < deadline, proxy.log()
        time.sleep(0.02)


def test_nginx_caches_and_revalidates_by_etag_across_both_servers(proxied: Proxied) -> None:
    proxy, (first, _) = proxied
    path = f"/feeds/editions/{EDITION}.ics"
    old, new = SHOWN[path]
    since = time.monotonic()
    status, headers, body = proxy.get(path)
    assert (status, headers["x-cache-status"]) == (200, "MISS") and old in body
    etag = headers["etag"]
    assert headers["vary"] == "Accept-Encoding" and "content-encoding" not in headers
    status, headers, again = proxy.get(path)
    assert (status, headers["etag"], again) == (200, etag, body)
    assert _kept(since, headers["x-cache-status"])
    # nginx says nothing of the copy's age: a cache after it may keep it max-age again.
    assert "age" not in headers and headers["cache-control"] == "public, max-age=300"
    # A client's conditional request is answered from the cache.
    status, headers, empty = proxy.get(path, If_None_Match=etag)
    assert (status, empty) == (304, b"") and _kept(since, headers["x-cache-status"])
    # gzip: the other representation, cached on its own; "gzip;q=0" is no gzip.
    status, headers, zipped = proxy.get(path, Accept_Encoding="gzip, deflate, br")
    assert (headers["x-cache-status"], headers["content-encoding"]) == ("MISS", "gzip")
    zipped_etag = headers["etag"]
    assert zipped_etag == etag.removesuffix('"') + '-gzip"'
    status, headers, _ = proxy.get(path, Accept_Encoding="br, gzip;q=0")
    assert headers["etag"] == etag and _kept(since, headers["x-cache-status"])
    _until(proxy, lambda log: len(log) == 5)
    # The servers are asked in turn (round robin): both have been.
    upstreams = {line[0] for line in proxy.log() if line[0] != "-"}
    assert upstreams == {f"127.0.0.1:{first.port}", f"127.0.0.1:{proxied[1][1].port}"}

    # Expired, each is revalidated: If-None-Match to the next server, which says 304
    # to the ETag the other gave.
    seen = len(proxy.log())
    time.sleep(EXPIRED)
    for encoding, tag, kept in (("identity", etag, body), ("gzip", zipped_etag, zipped)):
        status, headers, answer = proxy.get(path, Accept_Encoding=encoding)
        assert (status, headers["x-cache-status"], headers["etag"]) == (200, "REVALIDATED", tag)
        assert answer == kept
    _until(proxy, lambda log: len(log) == seen + 2)
    revalidated = proxy.log()[seen:]
    assert {line[1] for line in revalidated} == {"304"}
    assert {line[0] for line in revalidated} == upstreams

    # A change: the next request after the cached answer expires brings the new bytes.
    assert cli(first.url, "edit", "screening", str(_defector_at_six(first)), "--at", "19:15") == 0
    time.sleep(EXPIRED)
    status, headers, body = proxy.get(path, If_None_Match=etag)
    assert (status, headers["x-cache-status"]) == (200, "EXPIRED")
    assert headers["etag"] != etag and new in body and old not in body
    assert proxy.get(path, If_None_Match=headers["etag"])[0] == 304
    # The index names the public address (--base-url), whichever server made it.
    status, _, body = proxy.get("/feeds")
    assert json.loads(body)["all"] == f"https://{HOST}/feeds/all.ics"
    # Plain http is sent on to https.
    assert _plain(proxy, path) == (301, f"https://{HOST}{path}")
    # One server gone: a GET nginx sends it is retried on the other.
    _stop(first)
    for address in ("/feeds/all.ics", f"/feeds/editions/{EDITION}.json", f"/editions/{EDITION}"):
        status, headers, _ = proxy.get(address)
        assert (status, headers["x-cache-status"]) == (200, "MISS"), address
    assert "connect() failed" in (proxy.folder / "error.log").read_text()


def _kept(since: float, status: str) -> bool:
    """Whether nginx answered from the copy it made at ``since``: it keeps it for one
    second (``cache_for``), a HIT; later, on a loaded machine, a revalidation."""
    return status == "HIT" or (status == "REVALIDATED" and time.monotonic() - since >= 1)


def _plain(proxy: Proxy, path: str) -> tuple[int, str | None]:
    """The status and Location of an answer over plain http."""
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location")
    finally:
        connection.close()


def test_nginx_keeps_a_secret_feed_out_of_its_cache_and_logs(
    proxied: Proxied, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy, servers = proxied
    capsys.readouterr()
    assert cli(servers[0].url, "feed", "create", "press", "--edition", "Sheffield Doc/Fest 2013",
               "--base-url", f"https://{HOST}") == 0  # fmt: skip
    address = capsys.readouterr().out.strip()
    secret = address.removeprefix(f"https://{HOST}")
    token = re.sub(r"^/feeds/secret/|\.ics$", "", secret)
    assert len(token) == 43
    for path in (secret, secret, secret.replace("/secret/", "/SECRET/")):
        status, headers, body = proxy.get(path)
        assert "x-cache-status" not in headers
        if "/secret/" in path:
            assert status == 200 and headers["cache-control"] == "private, no-store"
            assert b"BEGIN:VEVENT" in body
        else:
            assert status == 404
    # Over plain http, sent on to https, unlogged too.
    assert _plain(proxy, secret) == (301, f"https://{HOST}{secret}")
    # With the servers gone, nginx's error log would name the request: not this one.
    _stop(*servers)
    assert proxy.get(secret)[0] == 502
    assert proxy.get("/feeds/all.ics")[0] == 502  # a public address is still logged
    _until(proxy, lambda log: any("/feeds/all.ics" in line[-1] for line in log))
    error_log = (proxy.folder / "error.log").read_text()
    assert "/feeds/all.ics" in error_log
    kept = [proxy.folder / "access.log", proxy.folder / "error.log"]
    kept += [p for p in (proxy.folder / "cache").rglob("*") if p.is_file()]
    for path in kept:
        assert token.encode() not in path.read_bytes(), path
