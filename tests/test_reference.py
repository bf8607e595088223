"""The command reference (``docs/reference.md``) says what ``--help`` says (#22): for every
command, its usage line, its summary, and a table of its arguments and options, each row
the very record ``--help`` prints for it. A command whose options change without the
page fails here; ``SCREENINGS_UPDATE_GOLDEN=1`` writes the page anew."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context

from screenings.cli import build_app
from tests.golden import matches

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"
INTRO = """# Command reference

Every command, as its `--help` describes it: the usage line, what it does, and its
arguments and options, after the options given before any command. This page is checked
against the commands by `tests/test_reference.py` (and written anew by it with
`SCREENINGS_UPDATE_GOLDEN=1`); the user guide (`docs/guide.md`) says how they work
together.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _section(command: Any, path: list[str], parent: Any) -> list[str]:
    context = Context(command, info_name=path[-1], parent=parent)
    pieces = command.collect_usage_pieces(context)
    summary = " ".join((command.help or "").split("\n\n")[0].split())
    lines = [f"## screenings {' '.join(path)}", "", f"`screenings {' '.join([*path, *pieces])}`"]
    lines += ["", summary, ""]
    rows = [param.get_help_record(context) for param in command.get_params(context)]
    rows = [row for row in rows if row is not None]
    if rows:
        lines += ["| argument or option | what it is |", "| --- | --- |"]
        lines += [f"| `{_cell(name)}` | {_cell(said)} |" for name, said in rows]
        lines.append("")
    return lines


def reference() -> str:
    top = typer.main.get_command(build_app())
    context = Context(top, info_name="screenings")
    out = [
        INTRO,
        "## Global options",
        "",
        "Given before the command: `screenings --db FILE list`.",
        "",
    ]
    rows = [param.get_help_record(context) for param in top.get_params(context)]
    out += ["| option | what it is |", "| --- | --- |"]
    out += [f"| `{_cell(name)}` | {_cell(said)} |" for name, said in filter(None, rows)]
    out.append("")

    def walk(command: Any, path: list[str], parent: Any) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            out.extend(_section(command, path, parent))
            return
        inner = Context(command, info_name=path[-1], parent=parent)
        for name in command.list_commands(inner):
            walk(command.get_command(inner, name), [*path, name], inner)

    for name in top.list_commands(context):
        walk(top.get_command(context, name), [name], context)
    return "\n".join(out).rstrip("\n") + "\n"


def test_the_reference_page_says_what_every_commands_help_says() -> None:
    matches(PAGE, reference().encode("utf-8"))


def test_every_option_of_the_reference_is_in_its_commands_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The other way round, against what a user sees: each row of the page is in the
    ``--help`` its command prints, word for word."""
    from screenings.cli import run

    sections = PAGE.read_text(encoding="utf-8").split("\n## screenings ")[1:]
    assert len(sections) >= 30
    for section in sections:
        path = section.split("\n", 1)[0].split()
        assert run([*path, "--help"]) == 0
        shown = " ".join(capsys.readouterr().out.split())
        for row in section.splitlines():
            if row.startswith("| `"):
                name, said = row[3:].split("` | ", 1)
                assert name.replace("\\|", "|") in shown, (path, name)
                assert said.removesuffix(" |").replace("\\|", "|") in shown, (path, name)
