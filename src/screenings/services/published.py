"""What the feed server may name: the festivals, editions, venues, films and people
that have something public. A film, venue or person known only from private
screenings is not named anywhere public (DESIGN.md, invariant 8): its address
answers 404 like one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from screenings import tables
from screenings.db import has_table
from screenings.errors import Gone, Merged, NotFound

S, SE, C = tables.screening, tables.selection, tables.credit
PF = tables.programme_film
RS = tables.retired_slug
KINDS = ("festival", "edition", "venue", "film", "person")


def public_condition(kind: str, *, programmes: bool = True) -> ColumnElement[bool] | None:
    """The condition for a record of ``kind`` to be named in public, or None (always).
    ``programmes``: whether the catalogue has them (one an edit is fixing before its
    upgrade may not: ``migrate.Door.FIX``).

    A selection is the published programme: it makes its film (and the film's people)
    public. A private screening makes no selection (the importer and ``add`` alike), so
    a film shown only in private, at a festival or not, stays private; so does an
    edition that holds nothing but private screenings, and a festival whose editions all
    do."""
    public = S.c.visibility == "public"
    if kind == "venue":
        return exists().where(S.c.venue_id == tables.venue.c.id, public)
    if kind == "film":
        film = tables.film.c.id
        ways = [exists().where(S.c.film_id == film, public), exists().where(SE.c.film_id == film)]
        if programmes:
            ways.append(
                exists().where(S.c.programme_id == PF.c.programme_id, PF.c.film_id == film, public)
            )
        return or_(*ways)
    if kind == "person":
        credited = C.c.person_id == tables.person.c.id
        ways = [
            exists().where(credited, S.c.film_id == C.c.film_id, public),
            exists().where(credited, SE.c.film_id == C.c.film_id),
        ]
        if programmes:
            ways.append(
                exists().where(
                    credited,
                    PF.c.film_id == C.c.film_id,
                    S.c.programme_id == PF.c.programme_id,
                    public,
                )
            )
        return or_(*ways)
    if kind == "programme":
        # A programme of an edition is part of its announced programme; one of a festival
        # alone is public once it has a public screening.
        programme = tables.programme.c
        edition = tables.edition.alias()
        return or_(
            exists().where(edition.c.id == programme.edition_id, _public_edition(edition)),
            exists().where(S.c.programme_id == programme.id, public),
        )
    if kind == "edition":
        return _public_edition(tables.edition)
    if kind == "festival":
        # A festival is public with one of its editions, or while it has none.
        edition = tables.edition.alias()
        festival = tables.festival.c.id
        return or_(
            ~exists().where(edition.c.festival_id == festival),
            exists().where(edition.c.festival_id == festival, _public_edition(edition)),
        )
    return None


def _public_edition(edition: Any) -> ColumnElement[bool]:
    """An edition is the public programme, unless all it holds is private screenings."""
    shown, selected = S.alias(), SE.alias()  # their own names: never correlated outside
    return or_(
        ~exists().where(shown.c.edition_id == edition.c.id),
        exists().where(shown.c.edition_id == edition.c.id, shown.c.visibility == "public"),
        exists().where(selected.c.edition_id == edition.c.id),
    )


def public_id(session: Session, kind: str, slug: str) -> int:
    """The id of the ``kind`` with ``slug``, if it may be named in public; else
    ``NotFound``, the same for one that is private and one that does not exist."""
    table = getattr(tables, kind)
    statement = select(table.c.id).where(table.c.slug == slug)
    condition = public_condition(kind)
    if condition is not None:
        statement = statement.where(condition)
    found = session.execute(statement).scalar()
    if found is None:
        _refuse_retired(session, kind, slug)
        raise NotFound(f"no {kind} with the address {slug!r}")
    return int(found)


def screening_page(session: Session, screening_id: int) -> str:
    """The path of the page that shows a public screening, at its anchor: its film's, or
    its programme's (``/films/SLUG#screening-ID``); ``NotFound`` for a private screening
    and one that does not exist alike. A frab event's ``url`` and a page's JSON-LD name a
    screening by ``/screenings/ID``, which is sent here: an address that never changes."""
    S, F, P = tables.screening, tables.film, tables.programme
    found = session.execute(
        select(F.c.slug, P.c.slug)
        .select_from(S.outerjoin(F, S.c.film_id == F.c.id).outerjoin(P, S.c.programme_id == P.c.id))
        .where(S.c.id == screening_id, S.c.visibility == "public")
    ).first()
    if found is None:
        raise NotFound(f"no screening #{screening_id}")
    film, programme = found
    kind = "films" if film is not None else "programmes"
    return f"/{kind}/{film or programme}#screening-{screening_id}"


def still_retired() -> ColumnElement[bool]:
    """The condition for a retired slug (``retire_slug``) to be kept from new records: its
    record was removed less than ``RETIRED_SLUG_DAYS`` ago, or merged into another (its
    addresses redirect there, for good)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=tables.RETIRED_SLUG_DAYS)
    return or_(RS.c.successor.is_not(None), RS.c.retired_at > since)


def retire_slug(session: Session, record: Any, *, successor: str | None = None) -> None:
    """Keep the slug of ``record`` (a festival, edition, venue, film, person or programme) about to
    be removed, or merged into the record whose slug is ``successor``: no new record gets
    it while it is retired, and its addresses answer 410 Gone (or redirect to the
    successor) when the record was public; else 404, as for one that never was.
    Call it before the record's screenings and selections go."""
    kind = record.__table__.name
    table = getattr(tables, kind)
    condition = public_condition(kind, programmes=has_table(session, "programme"))
    public = condition is None or (
        session.execute(select(table.c.id).where(table.c.id == record.id, condition)).first()
        is not None
    )
    session.execute(delete(RS).where(RS.c.kind == kind, RS.c.slug == record.slug))
    session.execute(
        insert(RS).values(
            kind=kind,
            slug=record.slug,
            retired_at=dt.datetime.now(dt.UTC),
            public=public,
            successor=successor,
        )
    )
    if successor is not None:  # what redirected to the duplicate now redirects to the kept
        session.execute(
            update(RS)
            .where(RS.c.kind == kind, RS.c.successor == record.slug)
            .values(successor=successor)
        )


def _refuse_retired(session: Session, kind: str, slug: str, depth: int = 0) -> None:
    """``Merged`` or ``Gone`` for the slug of a public record merged into another or
    removed lately; nothing for a record that was private, which answers as one that
    never was. A merge leads on only to a record kept that may be named in public (else
    the redirect would name a private one); one kept and since removed answers for
    itself."""
    row = session.execute(
        select(RS.c.retired_at, RS.c.successor).where(
            RS.c.kind == kind, RS.c.slug == slug, RS.c.public.is_(True), still_retired()
        )
    ).first()
    if row is None:
        return
    if row.successor is None:
        raise Gone(f"the {kind} {slug!r} was removed on {row.retired_at:%Y-%m-%d}")
    table = getattr(tables, kind)
    kept = select(table.c.id).where(table.c.slug == row.successor)
    condition = public_condition(kind)
    if session.execute(kept if condition is None else kept.where(condition)).first():
        raise Merged(f"the {kind} {slug!r} was merged into {row.successor!r}", row.successor)
    if depth < 3:  # merges re-point their redirects, so one step is the rule
        _refuse_retired(session, kind, row.successor, depth + 1)


def public_records(
    session: Session,
    kind: str,
    *order: Any,
    where: ColumnElement[bool] | None = None,
    window: tuple[int, int] | None = None,
) -> list[Any]:
    """Every record of ``kind`` that may be named in public (those ``where`` also holds
    for; ``window``: that many from that offset), as rows of its slug and the parts of
    its name: a festival's name; an edition's festival, year and label; a venue's name
    and city; a film's title and year; a person's name. In ``order`` (any columns of the
    record's table), then by slug."""
    E, F = tables.edition, tables.festival
    listed: dict[str, Any] = {
        "festival": select(F.c.slug, F.c.name),
        "edition": select(E.c.slug, F.c.name, E.c.year, E.c.label).join(
            F, E.c.festival_id == F.c.id
        ),
        "venue": select(tables.venue.c.slug, tables.venue.c.name, tables.venue.c.city),
        "film": select(tables.film.c.slug, tables.film.c.title, tables.film.c.year),
        "person": select(tables.person.c.slug, tables.person.c.name),
    }
    statement = listed[kind]
    condition = public_condition(kind)
    if condition is not None:
        statement = statement.where(condition)
    if where is not None:
        statement = statement.where(where)
    statement = statement.order_by(*order, statement.selected_columns[0])
    if window is not None:
        statement = statement.limit(window[0]).offset(window[1])
    return list(session.execute(statement))


def initial_of(slug: Any) -> Any:
    """The first letter of a slug (a SQL expression): a to z, or a digit."""
    return func.substr(slug, 1, 1)


def public_initials(session: Session, kind: str) -> list[tuple[str, int]]:
    """The letters the slugs of ``kind``'s public records begin with, each with how many;
    the digits together, as "0-9", first."""
    table = getattr(tables, kind)
    initial = initial_of(table.c.slug).label("initial")
    statement = select(initial, func.count()).group_by(initial)
    condition = public_condition(kind)
    if condition is not None:
        statement = statement.where(condition)
    counts: dict[str, int] = {}
    for letter, count in session.execute(statement):
        key = "0-9" if letter.isdigit() else letter
        counts[key] = counts.get(key, 0) + count
    return sorted(counts.items(), key=lambda item: (item[0] != "0-9", item[0]))


def public_feeds(session: Session) -> dict[str, list[tuple[str, str]]]:
    """(slug, title) of every record of each kind that may be named in public, by slug."""
    return {
        kind: [
            (slug, " ".join(str(part) for part in parts if part is not None))
            for slug, *parts in public_records(session, kind)
        ]
        for kind in KINDS
    }
