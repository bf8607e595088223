"""The documentation runs (#22): every ``screenings`` command in a fenced block of
``docs/*.md`` and of the README's tour is run, page by page, in order, against a catalogue
of the page's own (a new SQLite file), from a folder holding the checkout's ``data/``. A
command shown as ``$ screenings ...`` followed by lines is a transcript: what it prints
(stdout, then stderr) must be those lines. A block of anything else that looks like a
command (apt, curl, nginx, a server, a PostgreSQL URL) carries the marker
``<!-- no-run: REASON -->`` on the line before it; a page may run hidden commands first
with ``<!-- before: screenings ... -->``."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from screenings.cli import run

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
COMMANDS = {"", "sh", "bash", "shell", "console", "text", "nginx", "ini", "conf"}
_FENCE = re.compile(r"^\s*```(?P<info>\S*)\s*$")
_NO_RUN = re.compile(r"^<!-- no-run: (?P<reason>\S.*\S) -->$")
_BEFORE = re.compile(r"^<!-- before: (?P<command>screenings .+) -->$")


@dataclass
class Step:
    """A command of a page, where it is, and (for a transcript) what it prints."""

    line: int
    args: list[str]
    shown: list[str] | None = None


@dataclass
class Block:
    line: int
    info: str
    body: list[str]
    marker: str | None = None
    steps: list[Step] = field(default_factory=list)


def blocks(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").split("\n")
    n = 0
    while n < len(lines):
        opening = _FENCE.match(lines[n])
        if opening is None:
            n += 1
            continue
        end = n + 1
        while not _FENCE.match(lines[end]) or lines[end].strip() != "```":
            end += 1
        before = lines[n - 1].strip() if n else ""
        marker = _NO_RUN.match(before)
        yield Block(n + 1, opening["info"], lines[n + 1 : end], marker and marker["reason"])
        n = end + 1


def hidden(page: Path) -> list[Step]:
    lines = page.read_text(encoding="utf-8").split("\n")
    return [
        Step(n + 1, shlex.split(match["command"])[1:])
        for n, line in enumerate(lines)
        if (match := _BEFORE.match(line.strip()))
    ]


def steps(block: Block) -> list[Step]:
    """The block's commands (a line ending in a backslash goes on), each with what it
    shows after it when it is a transcript."""
    found: list[Step] = []
    joined: list[tuple[int, str]] = []
    pending = ""
    # What a command prints keeps its own indentation, less the block's.
    indent = len(block.body[0]) - len(block.body[0].lstrip()) if block.body else 0
    for offset, raw in enumerate(block.body):
        text = raw.strip()
        if not text.startswith(("$ ", "screenings ")) and not raw[:indent].strip():
            text = raw[indent:].rstrip()
        if pending:
            pending += " " + text.removesuffix("\\").strip()
        else:
            command = text.startswith(("$ ", "screenings "))
            pending = text.removesuffix("\\").strip() if command else text
            start = block.line + 1 + offset
        if not text.endswith("\\"):
            joined.append((start, pending))
            pending = ""
    for line, text in joined:
        if text.startswith("$ screenings "):
            found.append(Step(line, shlex.split(text[2:])[1:], []))
        elif text.startswith("screenings "):
            found.append(Step(line, shlex.split(text, comments=True)[1:]))
        elif found and found[-1].shown is not None and not text.startswith("$ "):
            found[-1].shown.append(text)
    return found


def runnable(page: Path) -> list[tuple[Block, list[Step]]]:
    """The blocks that look like commands, with no marker: a ``text`` block only when it
    is a transcript (else it shows output alone, as a ``json`` block does)."""
    return [
        (b, steps(b))
        for b in blocks(page)
        if b.marker is None
        and b.info in COMMANDS
        and (b.info != "text" or any(line.lstrip().startswith("$ ") for line in b.body))
    ]


def test_every_command_block_of_the_docs_runs_or_says_why_not() -> None:
    """No block that looks like a command is left out without a reason."""
    for page in PAGES:
        for block, found in runnable(page):
            lines = [line for line in block.body if line.strip()]
            assert found, f"{page.name}:{block.line}: no screenings command; mark it no-run"
            loose = [
                line
                for line in lines
                if not line.strip().startswith(("screenings ", "$ screenings ", "  ", "--"))
                and not any(
                    step.shown and line.strip() in {shown.strip() for shown in step.shown}
                    for step in found
                )
            ]
            assert not loose, f"{page.name}:{block.line}: {loose[0]!r} is not run"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_commands_of_a_page_run_as_shown(
    page: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCREENINGS_DATABASE_URL", f"sqlite:///{tmp_path / 'catalogue.sqlite3'}")
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    monkeypatch.setenv("COLUMNS", "200")
    todo = hidden(page) + [step for _, found in runnable(page) for step in found]
    for step in todo:
        code = run(step.args)
        out = capsys.readouterr()
        where = f"{page.name}:{step.line}: screenings {shlex.join(step.args)}"
        said = (out.out + out.err).rstrip("\n").split("\n") if out.out + out.err else []
        if step.shown:
            assert [line.rstrip() for line in said] == step.shown, where
            assert (code != 0) == any(line.startswith("screenings: error:") for line in said)
        else:
            assert code == 0, f"{where}\n{out.err}"
