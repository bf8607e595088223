"""Item 3: ``export -o`` names something that is not a regular file.

A FIFO or a character device is written into, as a shell's ``>`` would, and stays what
it is; ``/dev/full`` says so in one line. A block device is refused. A split
(``--split-by --out-dir``) is all or nothing: anything but a regular file at one of its
names refuses the whole split, and nothing is written.

The devices are made with ``mknod`` in the test's own directory (as root, which CI is):
the code before the fix replaced the node it was given, and the real /dev/null must not
be the one at stake. Without the privilege to make nodes, the real /dev/null is used,
which an unprivileged user cannot replace.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from icalendar import Calendar

from screenings.cli import run

DATA = Path(__file__).resolve().parents[2] / "data"
Cli = Callable[..., tuple[int, bytes, str]]


@pytest.fixture
def cli(
    backend: str,
    new_url: Callable[[str], str],
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """The command line on a catalogue holding the seed data."""
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url(backend)

    def call(*args: str) -> tuple[int, bytes, str]:
        code = run(["--db", url, *args])
        captured = capsysbinary.readouterr()
        return code, captured.out, captured.err.decode()

    for name in ("lineup.csv", "awards.csv"):
        code, _, err = call("import", str(DATA / name))
        assert code == 0, err
    return call


def _device(path: Path, major: int, minor: int) -> Path:
    """A character device node at ``path``; skip where nodes cannot be made."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        if os.geteuid() == 0:
            raise
        pytest.skip("making device nodes needs root (CAP_MKNOD)")
    return path


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        return Path("/dev/null")  # an unprivileged user cannot replace it
    return _device(tmp_path / "null", 1, 3)


def _kind(path: Path) -> int:
    return stat.S_IFMT(path.stat().st_mode)


def test_a_fifo_is_written_into_and_stays_a_fifo(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        code, _, err = cli("export", "ics", "--festival", "Hot Docs", "-o", str(fifo))
        received, _ = reader.communicate(timeout=30)
    finally:
        reader.kill()
        reader.wait()
    assert code == 0, err
    assert _kind(fifo) == stat.S_IFIFO
    events = Calendar.from_ical(received).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["The Defector: Escape from North Korea"]


def test_a_character_device_is_written_into_and_stays_a_device(cli: Cli, null_device: Path) -> None:
    before = null_device.stat()
    code, _, err = cli("export", "ics", "-o", str(null_device))
    assert code == 0, err
    after = null_device.stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, stat.S_IMODE(after.st_mode)) == (
        before.st_ino,
        before.st_rdev,
        stat.S_IMODE(before.st_mode),
    )


def test_a_full_device_is_one_line_and_stays_a_device(cli: Cli, tmp_path: Path) -> None:
    full = _device(tmp_path / "full", 1, 7)
    code, _, err = cli("export", "json", "-o", str(full))
    assert code == 2
    assert err == f"screenings: error: --output: cannot write {full}: No space left on device\n"
    assert stat.S_ISCHR(full.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_symbolic_link_to_a_device_writes_into_the_device(
    cli: Cli, null_device: Path, tmp_path: Path
) -> None:
    link = tmp_path / "feed.ics"
    link.symlink_to(null_device)
    code, _, err = cli("export", "csv", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and stat.S_ISCHR(null_device.stat().st_mode)


def test_a_block_device_is_refused_in_one_line(cli: Cli, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    try:
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 250))  # a loop device, unopened
    except PermissionError:
        pytest.skip("making device nodes needs root (CAP_MKNOD)")
    code, _, err = cli("export", "ics", "-o", str(disk))
    assert code == 2
    assert err == (
        f"screenings: error: --output: {disk} is a block device, not a regular file; "
        "it is left alone: move it away, or choose another place\n"
    )
    assert stat.S_ISBLK(disk.stat().st_mode)


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[Path]:
    out_dir = tmp_path / "feeds"
    out_dir.mkdir()
    yield out_dir


def test_a_split_with_a_fifo_at_one_of_its_names_writes_nothing(
    cli: Cli, feeds: Path, null_device: Path
) -> None:
    fifo = feeds / "hot-docs.ics"
    os.mkfifo(fifo)
    code, _, err = cli("export", "ics", "--split-by", "festival", "--out-dir", str(feeds))
    assert code == 2
    assert err == (
        f"screenings: error: --out-dir: {fifo} is a FIFO, not a regular file; "
        "it is left alone: move it away, or choose another place\n"
    )
    assert _kind(fifo) == stat.S_IFIFO
    assert sorted(p.name for p in feeds.iterdir()) == ["hot-docs.ics"]  # no index, no temporary

    # The index's own names are held to the same rule.
    fifo.unlink()
    (feeds / "index.html").symlink_to(null_device)
    code, _, err = cli("export", "ics", "--split-by", "festival", "--out-dir", str(feeds))
    assert code == 2 and "--out-dir: " in err and "is a character device" in err
    assert sorted(p.name for p in feeds.iterdir()) == ["index.html"]
    assert stat.S_ISCHR(null_device.stat().st_mode)
