"""Item 5: input that could exhaust memory or silently corrupt data (issue 18).

Each test feeds ``screenings import`` what an attacker or a careless spreadsheet would:
lines without end, on a file or on standard input, a header of millions of columns,
cells of a megabyte echoed in messages, UTF-8 read as cp1252 and text already garbled
so, encodings that are not text. Each is refused in one line naming the file, the
line and the limit or the reading, with nothing written; the limits are in
``screenings.parsers.table`` and docs/security.md ("Input limits").
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from screenings.cli import run
from screenings.parsers import table

ROOT = Path(__file__).resolve().parents[2]
LINEUP = ROOT / "data" / "lineup.csv"
MiB = 1024 * 1024
HEADER = "Title,Festival,Section,Venue,City,Date,Time\n"
ROW = "Mothers,IDFA 2012,Competition,Tuschinski,Amsterdam,2012-11-21,18:00\n"
OTHER = "Mothers,IDFA 2012,Competition,Tuschinski,Amsterdam,2012-11-22,18:00\n"

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/Amsterdam")
    return new_url(backend)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def stored(url: str) -> dict[str, int]:
    """Rows in the tables an import writes (none if the catalogue was never made)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            return {
                name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in ("festival", "film", "venue", "screening")
                if name in names
            }
    finally:
        engine.dispose()


def nothing_stored(url: str) -> bool:
    return not any(stored(url).values())


def said(err: str) -> list[str]:
    """What an import said on stderr, but for the notice that it made a new catalogue (or,
    a dry run, that it tried one)."""
    notices = ("screenings: created a new database", "screenings: dry run: no catalogue at")
    return [line for line in err.splitlines() if not line.startswith(notices)]


def one_error(err: str) -> str:
    """The one line a refused import prints, without the prefix."""
    lines = said(err)
    assert len(lines) == 1, err[:2000]
    assert lines[0].startswith("screenings: error: "), lines[0][:2000]
    return lines[0].removeprefix("screenings: error: ")


def env(url: str) -> dict[str, str]:
    return {**os.environ, "SCREENINGS_DATABASE_URL": url, "SCREENINGS_TIMEZONE": "UTC"}


# -- Unbounded lines ------------------------------------------------------------------------


def test_a_line_past_the_cap_is_refused_by_its_number(cli: Cli, url: str, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes((HEADER + ROW + OTHER).encode() + b"a" * (2 * MiB) + b"\n" + ROW.encode())
    code, _, err = cli("import", str(path))
    assert code == 2
    assert said(err) == [
        f"rejected: {path}:4: a line longer than 1,048,576 bytes (1 MiB), the most a line may "
        "hold; the rest of the file is not read",
        f"screenings: error: {path}: 1 row rejected; nothing was imported (fix them, or "
        "--skip-invalid to import the valid rows)",
    ]
    assert nothing_stored(url)


def test_a_utf16_line_past_the_cap_is_refused(cli: Cli, url: str, tmp_path: Path) -> None:
    path = tmp_path / "long16.csv"
    path.write_bytes((HEADER + ROW + "é" * 600_000 + "\n").encode("utf-16"))  # 1.2 MB as UTF-8
    code, _, err = cli("import", str(path))
    assert code == 2
    assert f"rejected: {path}:3: a line longer than 1,048,576 bytes (1 MiB)" in err
    assert nothing_stored(url)


def test_a_row_whose_quoted_values_run_past_the_cap_is_refused(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    # Twenty quoted values of 100 KB, each with a newline inside: no line, and no value
    # (csv's own limit is 128 KB), is too long; the row is.
    value = '"' + "a" * 100_000 + "\n" + "b" * 10 + '"'
    path = tmp_path / "open.csv"
    path.write_text(HEADER + ROW + ",".join([value] * 20) + "\n", encoding="utf-8")
    code, _, err = cli("import", str(path))
    assert code == 2
    assert said(err)[0] == (
        f"rejected: {path}:3: the row starting here runs past 1,048,576 bytes (1 MiB) by line "
        "13, the most a row may hold (a quote left open?); the rest of the file is not read"
    )
    assert nothing_stored(url)


def test_a_newline_less_stream_on_standard_input_is_refused_after_a_few_megabytes(
    url: str,
) -> None:
    # 64 MB offered without a newline; before, all of it was copied aside, then read as
    # one line.
    process = subprocess.Popen(
        [sys.executable, "-m", "screenings", "import", "-"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env(url),
    )
    assert process.stdin is not None and process.stderr is not None
    taken, block = 0, b"a" * 65536
    try:
        while taken < 64 * MiB:
            process.stdin.write(block)
            taken += len(block)
    except BrokenPipeError:
        pass
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 2
    assert one_error(err).startswith(
        "standard input:1: a line longer than 1,048,576 bytes (1 MiB), the most a line may hold"
    )
    assert taken <= 8 * MiB  # four times the cap, a chunk, and the pipe's buffer
    if url.startswith("sqlite:///"):  # refused before a catalogue was made for it
        assert not Path(url.removeprefix("sqlite:///")).exists()
    assert nothing_stored(url)


def _at_most_64_mb_of_files() -> None:
    # A disk with 64 MB free: a write past it fails (EFBIG; Python ignores SIGXFSZ).
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * MiB, 64 * MiB))


def _at_most_16_mb_of_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * MiB, 16 * MiB))


def test_dev_zero_on_standard_input_is_refused_at_its_first_line(url: str) -> None:
    done = subprocess.run(
        f"cat /dev/zero | {sys.executable} -m screenings import -",
        shell=True,
        capture_output=True,
        text=True,
        env=env(url),
        preexec_fn=_at_most_64_mb_of_files,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert one_error(done.stderr).startswith("standard input:1: a line longer than 1,048,576")
    assert nothing_stored(url)


def test_endless_short_lines_on_standard_input_never_fill_the_disk(url: str) -> None:
    """`yes ROW | screenings import -`: no line is too long, so the copy kept aside grows
    until the disk is full (here a 16 MB limit on files): one line, never a traceback."""
    done = subprocess.run(
        f"yes 'The Defector,2013-06-11' | {sys.executable} -m screenings import -",
        shell=True,
        capture_output=True,
        text=True,
        env=env(url),
        preexec_fn=_at_most_16_mb_of_files,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    error = one_error(done.stderr)
    assert error.startswith("standard input: cannot keep it aside to read it twice, after ")
    assert "File too large" in error
    assert error.endswith("save it to a file and import the file; nothing was imported")
    assert nothing_stored(url)


@pytest.fixture
def stdin_of(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bytes], None]]:
    """Standard input as a pipe (never seekable, as with ``cat FILE | screenings``)."""
    threads: list[threading.Thread] = []
    readers: list[io.TextIOWrapper] = []

    def feed(data: bytes) -> None:
        read, write = os.pipe()

        def writer() -> None:
            with open(write, "wb") as out, contextlib.suppress(BrokenPipeError):
                out.write(data)

        threads.append(threading.Thread(target=writer, daemon=True))
        threads[-1].start()
        readers.append(io.TextIOWrapper(open(read, "rb")))  # noqa: SIM115 -- closed below
        monkeypatch.setattr(sys, "stdin", readers[-1])

    yield feed
    for reader in readers:
        reader.close()  # a writer still blocked gets EPIPE
    for thread in threads:
        thread.join(timeout=60)


def test_standard_input_is_capped_in_total(
    cli: Cli, url: str, stdin_of: Callable[[bytes], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `yes ROW | screenings import -` has short lines and no end: the copy kept aside to
    # read it twice is capped (1 GiB; here 1 MiB, for the test's sake).
    monkeypatch.setattr(table, "MAX_STDIN_BYTES", MiB)
    stdin_of((HEADER + ROW * 40_000).encode())  # 2.8 MB of good rows
    code, _, err = cli("import", "-")
    assert code == 2
    assert one_error(err) == (
        "standard input: more than 1,048,576 bytes (1 MiB), the most kept aside to read it "
        "twice; save it to a file and import the file; nothing was imported"
    )
    assert nothing_stored(url)


def test_standard_input_under_the_caps_imports(
    cli: Cli, url: str, stdin_of: Callable[[bytes], None]
) -> None:
    stdin_of(LINEUP.read_bytes())
    code, out, err = cli("import", "-")
    assert code == 0, err
    assert out.startswith("standard input: 5 rows; screenings: 2 created,")
    assert stored(url)["screening"] == 2


# -- Huge headers and long cells ------------------------------------------------------------


def test_a_header_of_too_many_columns_is_refused_in_one_short_line(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(25_000)) + "\n" + "x\n", encoding="utf-8")
    code, _, err = cli("import", str(path))
    assert code == 2
    assert one_error(err) == (
        f"{path}:1: the header has 25,000 columns; a file may have at most 1,000; nothing was "
        "imported"
    )
    assert nothing_stored(url)


def test_the_25_million_column_header_is_refused_in_one_short_line(
    cli: Cli, url: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as out:
        for _ in range(25):
            out.write(b"a," * 1_000_000)
        out.write(b"a\n")
    code, _, err = cli("import", str(path))
    assert code == 2
    message = one_error(err)
    assert message.startswith(f"{path}:1: a line longer than 1,048,576 bytes (1 MiB)")
    assert len(message) < 300
    assert nothing_stored(url)


def test_messages_echo_at_most_80_characters_of_a_cell(cli: Cli, tmp_path: Path) -> None:
    long = "x" * 50_000
    header = f"Title,Date,Time,Timezone,Year,Runtime,Status,Ticket URL,{long}\n"
    rows = [
        f"{'T' * 600},2013-06-14,18:00,,,,,,",  # wider than the catalogue keeps
        f"Film,{long},18:00,,,,,,",
        f"Film,2013-06-14,{long},,,,,,",
        f"Film,2013-06-14,18:00,{long},,,,,",
        f"Film,2013-06-14,18:00,,{long},,,,",
        f"Film,2013-06-14,18:00,,,{long},,,",
        f"Film,2013-06-14,18:00,,,,{long},,",
        f"Film,2013-06-14,18:00,,,,,{long},",
        f'Film,"2013-06-14 {long}",,,,,,,',
    ]
    path = tmp_path / "cells.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = cli("import", str(path), "--dry-run")
    assert code == 2
    lines = said(err)
    assert len(lines) == len(rows) + 2  # the unknown column's warning, each row, the error
    for line in lines:
        assert len(line) < 400, line[:500]
        assert "x" * 81 not in line and "T" * 81 not in line
    assert f"column '{'x' * 80}…': unknown column, ignored" in err
    assert f"column 'Title': '{'T' * 80}…': 600 characters; at most 500" in err
    assert f"column 'Date': cannot read '{'x' * 80}…' as a date" in err
    assert f"column 'Ticket URL': '{'x' * 80}' is not a web address; expected https://" in err
    code, out, err = cli("import", str(path), "--show-mapping")
    assert f"  {'x' * 80}…  -> (unknown: ignored;" in out
    assert all(len(line) < 300 for line in out.splitlines() + said(err))


def test_messages_list_a_few_columns_each_cut(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "unknown.csv"
    names = [f"{n}{'y' * 200}" for n in range(500)]
    path.write_text(",".join(names) + "\n" + ",".join("v" * 500) + "\n", encoding="utf-8")
    code, _, err = cli("import", str(path))
    assert code == 2
    message = one_error(err)
    assert message.startswith(f"{path}:1: cannot tell what kind of file this is from its columns")
    assert f"0{'y' * 79}…, 1{'y' * 79}…" in message and ", and 480 more);" in message
    assert len(message) < 2500
    code, _, err = cli("import", str(path), "--map", "Cinema=venue")
    assert code == 2
    assert ", and 480 more" in one_error(err) and len(err) < 2500


# -- Silent mojibake ------------------------------------------------------------------------


def test_a_utf8_file_read_as_cp1252_is_refused_naming_the_line_and_both_readings(
    cli: Cli, url: str
) -> None:
    code, _, err = cli("import", str(LINEUP), "--encoding", "cp1252")
    assert code == 2
    message = one_error(err)
    assert message.startswith(f"{LINEUP}:2: this file is UTF-8 text, which CP1252 misreads: ")
    assert "'…2,Reflecting Images â€“ Panorama,festival premiere," in message
    assert "'…2,Reflecting Images – Panorama,festival premiere," in message
    assert message.endswith(
        "leave out --encoding, or pass --force-encoding to read it as CP1252 all the same; "
        "nothing was imported"
    )
    assert nothing_stored(url)


def test_force_encoding_reads_it_as_told(cli: Cli, url: str) -> None:
    code, _, err = cli("import", str(LINEUP), "--encoding", "cp1252", "--force-encoding")
    assert code == 0, err
    engine = create_engine(url)
    with engine.connect() as connection:
        sections = set(connection.execute(text("SELECT section FROM selection")).scalars())
    engine.dispose()
    assert "Reflecting Images â€“ Panorama" in sections


def test_a_utf8_file_read_as_utf16_is_refused(cli: Cli, url: str) -> None:
    code, _, err = cli("import", str(LINEUP), "--encoding", "utf-16")
    assert code == 2
    message = one_error(err)
    assert message.startswith(f"{LINEUP}:1: this file is UTF-8 text, which UTF-16 misreads: ")
    assert "'Title,Year,Runtime,Country,Language,IMDb,Director,Producer," in message
    assert nothing_stored(url)


GARBLED = (
    "Title,Festival,Section,Venue,City,Date,Time\n"
    "The Defector,IDFA 2012,Reflecting Images â€“ Panorama,Tuschinski,Amsterdam,2012-11-20,18:00\n"
    "Mothers,IDFA 2012,Competition,Cinéma du Parc,Amsterdam,2012-11-21,18:00\n"
)


def test_text_already_garbled_is_refused_row_by_row(cli: Cli, url: str, tmp_path: Path) -> None:
    path = tmp_path / "garbled.csv"
    path.write_text(GARBLED, encoding="utf-8")
    code, _, err = cli("import", str(path))
    assert code == 2
    assert said(err) == [
        f"rejected: {path}:2: column 'Section': 'Reflecting Images â€“ Panorama': this value looks "
        "like UTF-8 text garbled as cp1252: it would read 'Reflecting Images – Panorama'; "
        "correct the file, or pass --force-encoding to take it as it reads",
        f"screenings: error: {path}: 1 row rejected; nothing was imported (fix them, or "
        "--skip-invalid to import the valid rows)",
    ]
    assert nothing_stored(url)
    code, _, err = cli("import", str(path), "--skip-invalid")
    assert code == 0, err
    assert stored(url)["screening"] == 1
    code, _, err = cli("import", str(path), "--force-encoding")
    assert code == 0, err
    assert stored(url)["screening"] == 2


def test_a_utf8_line_in_a_cp1252_file_is_refused(cli: Cli, url: str, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    head, defector, mothers = GARBLED.replace("â€“", "–").splitlines(keepends=True)
    path.write_bytes(head.encode() + mothers.encode("cp1252") + defector.encode("utf-8"))
    code, _, err = cli("import", str(path), "--encoding", "cp1252")
    assert code == 2
    assert f"rejected: {path}:3: column 'Section': 'Reflecting Images â€“ Panorama'" in err
    assert nothing_stored(url)


def test_a_garbled_header_is_refused(cli: Cli, url: str, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("Title,RÃ©alisateur,Date\nMothers,Xu Huijing,2013-06-13\n", encoding="utf-8")
    code, _, err = cli("import", str(path))
    assert code == 2
    assert one_error(err) == (
        f"{path}:1: 'RÃ©alisateur': a column name looks like UTF-8 text garbled as cp1252: it "
        "would read 'Réalisateur'; correct the file, or pass --force-encoding to take it as it "
        "reads; nothing was imported"
    )


ACCENTED = [
    "Cinéma du Parc",
    "Müller & Søn",
    "São Paulo",
    "Ærøskøbing",
    "«L'ÉTÉ»",
    "CAFÉ…",
    "Ñuñoa",
    "Strauß",
    "naïve façade",
]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_real_cp1252_and_latin1_files_with_accents_still_import(
    cli: Cli, url: str, tmp_path: Path, encoding: str
) -> None:
    names = [n for n in ACCENTED if n.encode(encoding, "ignore").decode(encoding) == n]
    path = tmp_path / "accents.csv"
    body = "Title,Venue,City,Date,Time\n" + "".join(
        f'"{name}","{name}",Paris,2013-06-{day + 10},18:00\n' for day, name in enumerate(names)
    )
    path.write_bytes(body.encode(encoding))
    code, _, err = cli("import", str(path), "--encoding", encoding)
    assert code == 0, err
    engine = create_engine(url)
    with engine.connect() as connection:
        titles = set(connection.execute(text("SELECT title FROM film")).scalars())
    engine.dispose()
    assert titles == set(names)


# -- Encodings that are not text ------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding",
    ["rot13", "base64", "punycode", "zlib", "hex", "bz2", "uu", "quopri", "utf-7", "idna",
     "unicode_escape", "cp037", "iso2022_jp"],
)  # fmt: skip
def test_an_encoding_that_is_not_text_is_refused_in_one_line(
    cli: Cli, url: str, encoding: str
) -> None:
    code, _, err = cli("import", str(LINEUP), "--encoding", encoding)
    assert code == 2
    assert one_error(err) == (
        f"{LINEUP}: --encoding: {encoding!r} is not a text encoding; expected one that reads "
        "text such as utf-8, cp1252, latin-1 or utf-16; nothing was imported"
    )
    assert nothing_stored(url)


@pytest.mark.parametrize(
    ("encoding", "given"),
    [("utf-32", None), ("utf-16", None), ("utf-32", "utf-32"), ("utf-16-le", "utf-16-le"),
     ("utf-32-be", "utf-32-be"), ("shift_jis", "shift_jis")],
)  # fmt: skip
def test_text_encodings_import(
    cli: Cli, url: str, tmp_path: Path, encoding: str, given: str | None
) -> None:
    title = "千と千尋の神隠し" if encoding == "shift_jis" else "Cinéma Ærø 😀"
    path = tmp_path / "wide.csv"
    path.write_bytes(f"Title,Venue,Date,Time\n{title},Showroom,2013-06-14,18:00\n".encode(encoding))
    code, _, err = cli("import", str(path), *(["--encoding", given] if given else []))
    assert code == 0, err
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM film")).scalar_one() == title
    engine.dispose()


def test_utf16_rows_end_at_newlines_only(cli: Cli, url: str, tmp_path: Path) -> None:
    # A codecs text stream also ends lines at \f, \x1c and \u2028, which csv does not:
    # the row was cut in two, and its halves read as other rows.
    path = tmp_path / "breaks.csv"
    body = "Title,Venue,Date,Time,Notes\nFilm\fOne,Showroom,2013-06-14,18:00,a\u2028b\x1cc\n"
    path.write_bytes(body.encode("utf-16"))
    code, out, err = cli("import", str(path))
    # One row, whole: its notes keep \u2028 and are refused for \x1c, a control character
    # (screenings.rules); a form feed in a title is whitespace.
    assert code == 2
    assert one_error(err) == (
        f"{path}:2: column 'Notes': 'a\\u2028b\\x1cc': holds a control character (U+001C a "
        "control character) at character 4; expected text; nothing was imported"
    )
    path.write_bytes(body.replace("\x1c", " ").encode("utf-16"))
    code, out, err = cli("import", str(path))
    assert code == 0, err
    assert out.startswith(f"{path}: 1 row; screenings: 1 created")
    assert stored(url)["screening"] == 1


def test_undecodable_utf16_names_its_line(cli: Cli, url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad16.csv"
    good = "Title,Venue,Date,Time\nMothers,Showroom,2013-06-14,18:00\n"
    path.write_bytes(good.encode("utf-16") + "ab,".encode("utf-16-le") + b"\x00\xd8x\x00")
    code, _, err = cli("import", str(path))
    assert code == 2
    assert f"rejected: {path}:3: not valid UTF-16 text (bytes 00 d8)" in err
    assert nothing_stored(url)


def test_reading_clean_text_does_not_load_the_mojibake_detector(tmp_path: Path) -> None:
    path = tmp_path / "accents.csv"
    path.write_text(
        "Title,Venue,Date\n" + "".join(f"{n},Salle,2013-06-14\n" for n in ACCENTED[:4]),
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from screenings.parsers.lineup import parse_lineup\n"
        f"items = list(parse_lineup(open({str(path)!r}, 'rb'), 'a.csv').items)\n"
        "assert len(items) == 4, items\n"
        "print('ftfy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
