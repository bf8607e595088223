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

Usage: .venv/bin/python benchmarks/feed_server.py [--duration 10] [--soak 60]
       [--workers 2] [--threads 4]
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CONNECTIONS = 64
SCREENINGS = 500
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


def write_edition(path: Path, seed: int = 2013, screenings: int = SCREENINGS) -> None:
    """``screenings`` (500) screenings of one edition: a film for every three (about 170),
    12 venues, 10 days."""
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
                f"B{number}", title, str(2000 + film % 25), f"Director {film}",
                str(70 + film % 60), "Benchmark Fest 2026", rng.choice(["Competition", "Panorama"]),
                f"Screen {number % 12}", "Sheffield", f"2026-06-{10 + number % 10:02d}",
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
    duration = int(option("--duration", "10"))
    soak = int(option("--soak", "60"))
    workers, threads = option("--workers", "2"), option("--threads", "4")
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(f"{tool} not found: apt-get install wrk nginx-light")
    screenings = str(Path(sys.executable).with_name("screenings"))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        lineup, db = work / "edition.csv", work / "bench.sqlite3"
        write_edition(lineup)
        subprocess.run(
            [screenings, "--db", str(db), "import", str(lineup), "--timezone", "Europe/London"],
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [screenings, "--db", str(db), "serve", "--port", str(port),
             "--workers", workers, "--threads", threads],
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        nginx_port = free_port()
        static = work / "static"
        static.mkdir()
        work.chmod(0o755)  # nginx's workers run as another user when started as root
        feed = f"http://127.0.0.1:{port}/feeds/editions/benchmark-fest-2026.ics"
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz")
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
          f"{duration} s each; server: {workers} workers x {threads} threads")  # fmt: skip
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


if __name__ == "__main__":
    main()
