"""``screenings serve`` under load, against nginx serving the same bytes, in one run.

A seeded lineup of one festival edition with 500 screenings is imported into a
new SQLite file (not timed). Then, on loopback, with wrk (Debian's ``wrk``):

- the ceiling: nginx (Debian's ``nginx-light``), one worker per core, serving the
  edition's feed, fetched from our server, as a static file;
- ours: ``screenings serve`` (gunicorn, ``--workers`` processes x ``--threads``),
  the same feed as a cached 200, then as a 304 (``If-None-Match``);
- a soak: cached 200s for ``--soak`` seconds, the resident memory of the server's
  processes (master and workers, from /proc) sampled every 5 seconds.

Each load runs ``--duration`` seconds with 64 connections and 2 threads. It prints
requests per second, p50 and p99 latency and errors (socket errors, non-2xx/3xx
answers) for each, the ratio of our cached 200s to nginx's, and the memory over
the soak.

Targets (from the issue): zero errors; flat memory over the soak (the last sample
within 10% of the first); cached 200s at 25% or more of nginx's rate.

The ``slow clients`` scenario (issue 18, item 2), on a new server whose catalogue also
holds a festival of 10,000 screenings (a 5 MB feed): ``--slow`` (64) connections of
each of three kinds are opened and held for ``--hold`` seconds, each replaced by a new
one as soon as the server closes it, so that 192 are open all along:

- header trickle: the request line, then one header line every 11 s;
- partial request line: ``GET /feeds/al``, and nothing more;
- non-reader: a request for the 5 MB feed, never read (a 4 KB receive buffer).

Meanwhile a new client asks for ``/healthz`` and for the cached edition feed, in turn,
every half second. It prints the probes' latencies (p50, p99, max, failures after 15
s) with the same probes before any slow client opened as the floor, how many of each
kind the server closed and after how long (read from the kernel's TCP state, nothing
read), and the server's resident memory (master and workers) at its highest. Targets:
every probe answered within 1 s; under 400 MB.

Usage: .venv/bin/python benchmarks/feed_server.py [--duration 10] [--soak 60]
       [--workers 2] [--threads 4] [--hold 60] [--slow 64] [--only load|slow-clients]
"""

from __future__ import annotations

import csv
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

CONNECTIONS = 64
SCREENINGS = 500
BIG = 10_000  # screenings of the festival whose feed (5 MB) the non-readers ask for
SCREENINGS_BIN = str(Path(sys.executable).with_name("screenings"))
PROBE_TARGET = 1.0  # seconds for a new client's answer, with the slow clients held
MEMORY_TARGET = 400  # MB, the server's processes together
GENEROUS = 15.0  # seconds a probe waits before it counts as failed
TRICKLE = 11.0  # seconds between the header lines of a trickling client
RATE_TARGET = 0.25
MEMORY_SLACK = 0.10
WORDS = [
    "night",
    "river",
    "house",
    "light",
    "winter",
    "children",
    "border",
    "city",
    "silence",
    "road",
    "archive",
]


def option(name: str, default: str) -> str:
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_edition(
    path: Path,
    seed: int = 2013,
    screenings: int = SCREENINGS,
    festival: str = "Benchmark Fest",
    ids: str = "B",
    city: str = "Sheffield",
) -> None:
    """``screenings`` (500) screenings of one edition of ``festival`` in 2026, in ``city``:
    a film for every three (about 170), 12 venues, 10 days; their ids start with ``ids``
    (an id names one screening in every lineup: another festival's must differ)."""
    rng = random.Random(seed)
    header = ["ID", "Title", "Year", "Director", "Runtime", "Festival", "Section", "Venue",
              "City", "Date", "Time", "Notes"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for number in range(screenings):
            film = number // 3
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {film}"
            writer.writerow([
                f"{ids}{number}", title, str(2000 + film % 25), f"Director {film}",
                str(70 + film % 60), f"{festival} 2026", rng.choice(["Competition", "Panorama"]),
                f"Screen {number % 12}", city, f"2026-06-{10 + number % 10:02d}",
                f"{10 + (number // 12) % 12}:{(number % 4) * 15:02d}", "Q&A, with; notes",
            ])  # fmt: skip


def wrk(url: str, duration: int, *headers: str) -> dict[str, float]:
    """Requests per second, p50 and p99 latency in ms, and errors, from wrk's report."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    report = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    errors = _errors(report)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", report)[1]),  # type: ignore[index]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", report)[1]),  # type: ignore[index]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", report)[1]),  # type: ignore[index]
        "errors": errors,
    }


def _errors(report: str) -> float:
    """Socket errors and answers other than 2xx/3xx in a wrk report."""
    errors = 0.0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        found = re.search(pattern, report)
        if found:
            errors += sum(int(n) for n in re.findall(r"\d+", found[1]))
    return errors


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB."""
    total = 0
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for process in [pid, *map(int, children)]:
        status = Path(f"/proc/{process}/status")
        if status.exists():
            found = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            total += int(found[1]) if found else 0
    return total / 1024


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within 30 s")


def main() -> None:
    only = option("--only", "")
    if only not in {"", "load", "slow-clients"}:
        raise SystemExit(f"--only: expected load or slow-clients, got {only!r}")
    if only != "slow-clients":
        for tool in ("wrk", "nginx"):
            if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
                raise SystemExit(f"{tool} not found: apt-get install wrk nginx-light")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        db = work / "bench.sqlite3"
        festivals = [("edition.csv", "Benchmark Fest", SCREENINGS, "B", "Sheffield")]
        if only != "load":
            festivals.append(("big.csv", "Big Fest", BIG, "G", "Leeds"))
        for name, festival, screenings, ids, city in festivals:
            write_edition(work / name, screenings=screenings, festival=festival, ids=ids, city=city)
            subprocess.run(
                [SCREENINGS_BIN, "--db", str(db), "import", str(work / name),
                 "--timezone", "Europe/London"],
                check=True,
                capture_output=True,
            )  # fmt: skip
        if only != "slow-clients":
            load(work, db)
        if only != "load":
            slow_clients(db)


def serve(db: Path, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """``screenings serve`` on ``db`` (``--workers``, ``--threads``), once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [SCREENINGS_BIN, "--db", str(db), "serve", "--port", str(port),
         "--workers", option("--workers", "2"), "--threads", option("--threads", "4"), *options],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return server, port


def load(work: Path, db: Path) -> None:
    """wrk against the server and against nginx serving the same bytes; a soak."""
    duration = int(option("--duration", "10"))
    soak = int(option("--soak", "60"))
    workers, threads = option("--workers", "2"), option("--threads", "4")
    server, port = serve(db)
    nginx_port = free_port()
    static = work / "static"
    static.mkdir()
    work.chmod(0o755)  # nginx's workers run as another user when started as root
    feed = f"http://127.0.0.1:{port}/feeds/editions/benchmark-fest-2026.ics"
    try:
        with urllib.request.urlopen(feed) as answer:
            body, etag = answer.read(), answer.headers["ETag"]
        (static / "feed.ics").write_bytes(body)
        conf = work / "nginx.conf"
        conf.write_text(
            "worker_processes auto; daemon off; pid nginx.pid; error_log stderr;\n"
            "events { worker_connections 1024; }\n"
            "http { access_log off; sendfile on; keepalive_requests 100000;\n"
            f"  server {{ listen 127.0.0.1:{nginx_port}; root {static}; }} }}\n"
        )
        nginx = subprocess.Popen(
            ["/usr/sbin/nginx", "-p", str(work), "-c", str(conf)], stderr=subprocess.DEVNULL
        )
        try:
            wait_for(f"http://127.0.0.1:{nginx_port}/feed.ics")
            ceiling = wrk(f"http://127.0.0.1:{nginx_port}/feed.ics", duration)
        finally:
            nginx.terminate()
            nginx.wait(10)
        cached = wrk(feed, duration)
        not_modified = wrk(feed, duration, f"If-None-Match: {etag}")
        samples = [rss_mb(server.pid)]
        soaking = subprocess.Popen(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{soak}s", "--latency", feed],
            stdout=subprocess.PIPE,
            text=True,
        )
        while soaking.poll() is None:
            time.sleep(5)
            samples.append(rss_mb(server.pid))
        soaked = _errors(soaking.communicate()[0])
    finally:
        server.terminate()
        server.wait(30)
    size = len(body) / 1024
    print(f"edition feed: {SCREENINGS} screenings, {size:.0f} KB; {CONNECTIONS} connections, "
          f"{duration} s each; server: {workers} workers x {threads} requests at once")  # fmt: skip
    print(f"{'':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, result in (
        ("nginx, static file", ceiling),
        ("screenings serve, 200", cached),
        ("screenings serve, 304", not_modified),
    ):
        print(
            f"{name:28} {result['rps']:9.0f} {result['p50']:8.2f} {result['p99']:8.2f}"
            f" {result['errors']:7.0f}"
        )
    ratio = cached["rps"] / ceiling["rps"]
    grew = samples[-1] / samples[0] - 1
    errors = sum(r["errors"] for r in (ceiling, cached, not_modified)) + soaked
    print(f"cached 200s / nginx: {ratio:.2f} ({'PASS' if ratio >= RATE_TARGET else 'MISS'}, "
          f"target {RATE_TARGET})")  # fmt: skip
    print(f"errors, the soak's included: {errors:.0f} ({'PASS' if errors == 0 else 'MISS'})")
    print(
        f"memory over a {soak} s soak (MB, every 5 s): "
        + " ".join(f"{m:.0f}" for m in samples)
        + f" ({grew:+.0%}: {'PASS' if grew <= MEMORY_SLACK else 'MISS'}, flat within 10%)"
    )


# --- Slow clients ---------------------------------------------------------------------

ESTABLISHED = 1  # the kernel's TCP states (tcp_info's first byte)


class Slow:
    """One slow client: its socket, its kind, and when it connected."""

    def __init__(self, kind: str, port: int, opened: Callable[[int], socket.socket]) -> None:
        self.kind, self.port, self.open = kind, port, opened
        self.socket = opened(port)
        self.since = self.sent = time.monotonic()

    def closed_by_server(self) -> bool:
        """Whether the server has closed or reset the connection, read from the kernel's
        TCP state: nothing is read (a non-reader's answer stays unread)."""
        state = self.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
        return state != ESTABLISHED

    def renew(self) -> None:
        self.socket.close()
        self.socket = self.open(self.port)
        self.since = self.sent = time.monotonic()


def _trickle(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /feeds/all.ics HTTP/1.1\r\nHost: feeds.example.org\r\n")
    return client


def _partial(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /feeds/al")
    return client


def _non_reader(port: int) -> socket.socket:
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting
    client.connect(("127.0.0.1", port))
    client.sendall(b"GET /feeds/editions/big-fest-2026.ics HTTP/1.1\r\nHost: x\r\n\r\n")
    return client


KINDS = {"header trickle": _trickle, "partial request line": _partial, "non-reader": _non_reader}


def probe(port: int, path: str) -> float | None:
    """Seconds for a new client to get ``path`` whole (None: no 200 within 15 s)."""
    began = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=GENEROUS)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        return time.monotonic() - began if answer.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def warm(port: int, paths: tuple[str, ...], workers: int) -> None:
    """Each of ``paths`` rendered and cached in every worker (it names itself)."""
    for path in paths:
        seen: set[str] = set()
        for _ in range(200):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
                answer.read()
                seen.add(answer.headers.get("X-Screenings-Worker", ""))
            if len(seen) >= workers:
                break


def slow_clients(db: Path) -> None:
    """Probes of a new client while 3 x ``--slow`` slow clients hold connections."""
    hold, per_kind = float(option("--hold", "60")), int(option("--slow", "64"))
    workers = int(option("--workers", "2"))
    feed = "/feeds/editions/benchmark-fest-2026.ics"
    os.environ["SCREENINGS_WORKER_HEADER"] = "1"  # the server names the answering worker
    server, port = serve(db)
    floor: dict[str, list[float | None]] = {"/healthz": [], feed: []}
    held: dict[str, list[float | None]] = {"/healthz": [], feed: []}
    closed: dict[str, list[float]] = {kind: [] for kind in KINDS}
    memory: list[float] = []
    clients: list[Slow] = []
    try:
        warm(port, (feed, "/feeds/editions/big-fest-2026.ics"), workers)
        for _ in range(20):
            for path, latencies in floor.items():
                latencies.append(probe(port, path))
        clients = [Slow(k, port, make) for k, make in KINDS.items() for _ in range(per_kind)]
        began = time.monotonic()
        turn = 0
        while time.monotonic() - began < hold:
            now = time.monotonic()
            for client in clients:
                if client.closed_by_server():
                    closed[client.kind].append(now - client.since)
                    client.renew()
                elif client.kind == "header trickle" and now - client.sent >= TRICKLE:
                    client.socket.sendall(b"X-Slow: still here\r\n")
                    client.sent = now
            path = (feed, "/healthz")[turn % 2]
            held[path].append(probe(port, path))
            memory.append(rss_mb(server.pid))
            turn += 1
            time.sleep(max(0.0, 0.5 - (time.monotonic() - now)))
    finally:
        for client in clients:
            client.socket.close()
        server.terminate()
        stopped = server.wait(60)
    print(
        f"slow clients: {per_kind} of each kind held for {hold:.0f} s, each replaced when the "
        f"server closes it; the non-readers' feed: {BIG} screenings; server: {workers} workers"
    )
    print(f"{'new client asks for':36} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'failed':>7}")  # fmt: skip
    worst = 0.0
    for when, probes in (("no slow client", floor), (f"{3 * per_kind} slow clients", held)):
        for path, latencies in probes.items():
            answered = sorted(t for t in latencies if t is not None)
            failed = len(latencies) - len(answered)
            name = f"{'/healthz' if path == '/healthz' else 'cached edition feed'}, {when}"
            if not answered:
                print(f"{name:36} {len(latencies):4} {'-':>8} {'-':>8} {'-':>8} {failed:7}")
                worst = float("inf")
                continue
            p99 = answered[min(len(answered) - 1, int(len(answered) * 0.99))]
            print(
                f"{name:36} {len(latencies):4} {statistics.median(answered) * 1000:8.1f} "
                f"{p99 * 1000:8.1f} {answered[-1] * 1000:8.1f} {failed:7}"
            )
            if probes is held:
                worst = max(worst, answered[-1] if not failed else float("inf"))
    for kind, ages in closed.items():
        after = f", after {statistics.median(ages):.1f} s (median)" if ages else ""
        print(f"closed by the server: {kind}: {len(ages)}{after}")
    print(
        f"every probe answered within {PROBE_TARGET:.0f} s while held: "
        f"{'PASS' if worst <= PROBE_TARGET else 'MISS'} (slowest {worst:.3f} s)"
    )
    peak = max(memory) if memory else 0.0
    print(
        f"memory of the server's processes, at its highest: {peak:.0f} MB "
        f"({'PASS' if peak < MEMORY_TARGET else 'MISS'}, target under {MEMORY_TARGET} MB); "
        f"stopped with exit {stopped}"
    )


if __name__ == "__main__":
    main()
