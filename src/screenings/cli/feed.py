"""``screenings feed create|list|revoke``: secret feeds."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from screenings.cli.context import state
from screenings.cli.filters import with_filters
from screenings.errors import InvalidInput

app = typer.Typer(
    help="Secret feeds: a feed address that holds a random token, to hand to a group "
    "of people (a jury, the press), private screenings included if you say so."
    '\n\nExample: screenings feed create "jury" --edition "Sheffield Doc/Fest 2013" '
    "--include-private",
    no_args_is_help=True,
)
Opt = typer.Option


@app.command("create")
@with_filters()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the feed, e.g. 'press 2013'.")],
    cancelled: Annotated[
        str, Opt("--cancelled", help="mark (default) or omit cancelled screenings.")
    ] = "mark",
    base_url: Annotated[
        str | None,
        Opt(
            "--base-url",
            help="The server's public address (default: $SCREENINGS_BASE_URL, "
            "else http://127.0.0.1:8000).",
        ),
    ] = None,
    *,
    filters: dict[str, Any],
) -> None:
    """Make a secret feed of the screenings selected and print its address, once: the
    token in it is stored only as a hash, and cannot be shown again.

    Names are resolved now (a later rename keeps the feed); dates such as --in
    "next week" or --upcoming are read again on each request.

    Example: screenings feed create "jury" --edition "Sheffield Doc/Fest 2013" --include-private
    """
    from screenings.cli.render import say_notes
    from screenings.db import unit_of_work
    from screenings.services.feeds import FeedOptions
    from screenings.services.secret_feeds import create_secret_feed

    settings = state(ctx).settings
    FeedOptions(domain=settings.feed_domain, cancelled=cancelled)  # checks --cancelled
    base = _base(
        base_url or settings.base_url,
        "--base-url" if base_url is not None else "SCREENINGS_BASE_URL",
    )
    with unit_of_work(state(ctx).catalogue()) as session:
        feed, token, notes = create_secret_feed(
            session,
            name,
            filters,
            settings=settings,
            cancelled=cancelled,
        )
    say_notes([*notes, f"secret feed {feed.name!r} made; its address is shown only now:"])
    typer.echo(f"{base}/feeds/secret/{token}.ics")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """The secret feeds: names, filters, whether private screenings are in, when made,
    whether revoked or ended (by the removal of a record they were made for). Never their
    addresses.

    Example: screenings feed list
    """
    from screenings.db import unit_of_work
    from screenings.services.secret_feeds import list_secret_feeds

    with unit_of_work(state(ctx).reader(), write=False) as session:
        feeds = list_secret_feeds(session)
    if not feeds:
        typer.echo("no secret feeds", err=True)
        return
    for feed in feeds:
        made = feed.created_at.strftime("%Y-%m-%d %H:%M UTC")
        status = feed.status
        private = "private screenings included" if feed.include_private else "public only"
        typer.echo(f"{feed.name}  ({status}; made {made}; {private}; cancelled: {feed.cancelled})")
        for line in feed.filters or ["all screenings"]:
            typer.echo(f"    {line}")


@app.command("revoke")
def revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The feed's name.")]
) -> None:
    """Revoke a secret feed: its address answers 404 from the next request on.

    Example: screenings feed revoke "jury"
    """
    from screenings.db import unit_of_work
    from screenings.services.secret_feeds import revoke_secret_feed

    with unit_of_work(state(ctx).catalogue()) as session:
        feed, already = revoke_secret_feed(session, name)
    if already and feed.revoked_at is not None:
        typer.echo(f"secret feed {feed.name!r} was revoked already, on {feed.revoked_at:%Y-%m-%d}")
    else:
        typer.echo(f"revoked secret feed {feed.name!r}")


def _base(url: str | None, what: str = "--base-url") -> str:

    if url is None:
        return "http://127.0.0.1:8000"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInput(f"{what}: expected http(s)://HOST[:PORT][/PATH], got {url!r}")
    return url.rstrip("/")
