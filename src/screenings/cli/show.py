"""``screenings show KIND NAME``: everything known about one record."""

from __future__ import annotations

from typing import Annotated

import typer

from screenings.cli.context import state
from screenings.cli.render import say_notes
from screenings.errors import InvalidInput
from screenings.outputs import FORMATS
from screenings.records import FilmShow, ScreeningView

SHOWN = ("film", "person", "festival", "edition", "venue", "programme", "screening")


def show(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=", ".join(SHOWN) + ".")],
    name: Annotated[str, typer.Argument(help="A name, 'Title (2012)', or #ID.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Show everything known about a film (credits, links, its festival run in date order,
    awards and nominations), a person (films, awards), a festival (editions, awards), an
    edition (selection, screenings), a venue (screenings), a programme (its films,
    screenings) or a screening (#ID).

    Example: screenings show film "The Defector"
    """
    from screenings.db import unit_of_work

    if kind not in SHOWN:
        raise InvalidInput(f"show: unknown kind {kind!r}; expected one of {', '.join(SHOWN)}")
    # The terminal's page, or a registered format that has a form for one record.
    formats = ["table", *(name for name, each in FORMATS.items() if each.record)]
    if fmt not in formats:
        raise InvalidInput(f"--format: unknown format {fmt!r}; expected {' or '.join(formats)}")
    settings = state(ctx).settings
    with unit_of_work(state(ctx).reader(), write=False) as session:
        from screenings.services import show as shows

        saved = getattr(shows, f"show_{kind}")(session, settings, name)
    say_notes(saved.notes)
    if fmt == "json":
        render = FORMATS[fmt].record
        assert render is not None
        typer.echo(render(kind, saved.record).decode(), nl=False)
        return
    from screenings.cli.render import describe_screening, film_page, record_page

    record = saved.record
    if isinstance(record, FilmShow):
        typer.echo(film_page(record))
    elif isinstance(record, ScreeningView):
        typer.echo(describe_screening(record))
    else:
        typer.echo(record_page(record))
