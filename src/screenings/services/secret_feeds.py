"""Secret feeds: a feed whose address holds a random token, for a named group of people.

The token (256 random bits, URL-safe base64, 43 characters) is shown once, when
the feed is made; only its SHA-256 is stored. A request's token is hashed and
looked up, then compared with ``hmac.compare_digest``. The filters are stored in
a versioned form: names resolved to ids when the feed is made (so a rename keeps
the feed), dates kept as the words given and read again on every request
("next week" moves with the calendar).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any, NamedTuple

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from screenings import rules, tables
from screenings.errors import Conflict, InvalidInput, NotFound
from screenings.query import ScreeningQuery
from screenings.services import lookup
from screenings.services.criteria import checked_query
from screenings.services.fields import Names, own
from screenings.timeparse import UTC, date_span

FILTERS_VERSION = 2  # 1 held the records' ids; migration 0004 moved them to columns
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
T = tables.feed_token
# The words of dates, kept as given and read on each request.
DATE_WORDS = ("from", "to", "on", "in")
# A feed's reference columns, and the kind of record each names.
TARGETS = {key: ("person" if key == "director" else key) for key in tables.FEED_TARGETS}
# What no longer finds a feed, whatever the reason: the answer to a wrong token.
NO_SUCH_FEED = "no such feed"


class SecretFeed(NamedTuple):
    """A secret feed as ``feed list`` shows it: never its token."""

    name: str
    filters: list[str]  # "film: The Defector (2012)", "in: next week (read on each request)"
    include_private: bool
    cancelled: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    ended_at: dt.datetime | None = None
    ended_because: str | None = None  # "its edition Sheffield Doc/Fest 2013 (#3) was removed"

    @property
    def status(self) -> str:
        """What ``feed list`` says of it: live; revoked, and when (what its owner did
        comes first); or ended, why and when."""
        if self.revoked_at is not None:
            return f"revoked {self.revoked_at:%Y-%m-%d %H:%M UTC}"
        if self.ended_at is not None:
            return f"ended: {self.ended_because} on {self.ended_at:%Y-%m-%d}"
        return "live"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_secret_feed(
    session: Session,
    name: str,
    query: ScreeningQuery,
    dates: dict[str, str],
    *,
    cancelled: str = "mark",
    dayfirst: bool | None = None,
    names: Names = own,
) -> tuple[SecretFeed, str]:
    """Store a secret feed of what ``query`` selects (its names resolved to ids now, its
    free-text filters judged as every door judges them: ``criteria.checked_query``;
    ``dates``, the words of from/to/on/in, kept to be read on each request).
    Returns the feed and its token, which is not stored and cannot be shown again."""
    name = rules.clean_text(name, what=names("name"), limit=rules.length("feed_token", "name"))
    if not name:
        raise InvalidInput(f"{names('name')}: empty; expected a name for the feed")
    query = checked_query(query, names)
    taken = _named(session, name)
    if taken is not None:
        revoked = f" (revoked on {taken.revoked_at:%Y-%m-%d})" if taken.revoked_at else ""
        raise Conflict(
            f"feed: there is already a secret feed called {taken.name!r}{revoked}; "
            "choose another name"
        )
    targets = _targets(session, query)
    filters = _stored_filters(query, dates, cancelled, dayfirst)
    token = secrets.token_urlsafe(32)
    session.execute(
        insert(T).values(
            name=name,
            token_hash=token_hash(token),
            filters=filters,
            include_private=query.include_private,
            **targets,
        )
    )
    row = session.execute(select(T).where(T.c.name == name)).one()
    return _view(session, row), token


def _targets(session: Session, query: ScreeningQuery) -> dict[str, int]:
    """The records ``query`` names, resolved now: reference column -> id."""
    found: dict[str, int] = {}
    if query.film is not None:
        found["film_id"] = lookup.find_film(session, query.film).record.id
    if query.person is not None:
        found["person_id"] = lookup.find_person(session, query.person).record.id
    if query.director is not None:
        found["director_id"] = lookup.find_person(
            session, query.director, what="director"
        ).record.id
    if query.edition is not None or (query.festival is not None and query.year is not None):
        edition = lookup.find_edition(
            session, query.edition, festival=query.festival, year=query.year
        )
        found["edition_id"] = edition.record.id
    elif query.festival is not None:
        found["festival_id"] = lookup.find_festival(session, query.festival).record.id
    if query.venue is not None:
        found["venue_id"] = lookup.find_venue(session, query.venue).record.id
    return found


def _stored_filters(
    query: ScreeningQuery,
    dates: dict[str, str],
    cancelled: str,
    dayfirst: bool | None,
) -> dict[str, Any]:
    """The filters that name no record, as stored values."""
    # Dates are checked now, so that a feed never holds words it cannot read; the date
    # order they were read in is kept with them.
    date_span(*(dates.get(w) for w in DATE_WORDS), dayfirst=dayfirst, today=dt.date.today())
    stored: dict[str, Any] = {"version": FILTERS_VERSION, "cancelled": cancelled}
    if dayfirst is not None:
        stored["dayfirst"] = dayfirst
    for field in ("city", "country", "section", "audience"):
        if getattr(query, field) is not None:
            stored[field] = getattr(query, field)
    if query.statuses:
        stored["statuses"] = list(query.statuses)
    if query.kinds:
        stored["kinds"] = list(query.kinds)
    if query.upcoming_from is not None:
        stored["upcoming"] = True
    stored.update({word: dates[word] for word in DATE_WORDS if dates.get(word)})
    return stored


def secret_query(
    session: Session, token: str, *, default_length_minutes: int
) -> tuple[ScreeningQuery, str, str]:
    """The query, the ``cancelled`` mode and the name of the live secret feed with ``token``;
    ``NotFound`` for a token of the wrong form, an unknown one, a revoked or an ended one
    (all alike: a guess learns nothing)."""
    if not TOKEN_PATTERN.match(token):
        raise NotFound(NO_SUCH_FEED)
    wanted = token_hash(token)
    row = session.execute(select(T).where(T.c.token_hash == wanted)).first()
    if (
        row is None
        or not hmac.compare_digest(row.token_hash, wanted)
        or row.revoked_at is not None
        or row.ended_at is not None
    ):
        raise NotFound(NO_SUCH_FEED)
    filters = _readable(row.filters)
    now = dt.datetime.now(UTC)
    query = ScreeningQuery(
        film=_by_id(row.film_id),
        person=_by_id(row.person_id),
        director=_by_id(row.director_id),
        edition=_by_id(row.edition_id),
        festival=_by_id(row.festival_id),
        venue=_by_id(row.venue_id),
        city=filters.get("city"),
        country=filters.get("country"),
        section=filters.get("section"),
        audience=filters.get("audience"),
        statuses=tuple(filters.get("statuses", ())),
        kinds=tuple(filters.get("kinds", ())),
        upcoming_from=now if filters.get("upcoming") else None,
        dates=date_span(
            *(filters.get(w) for w in DATE_WORDS),
            dayfirst=filters.get("dayfirst"),
            today=now.date(),
        ),
        include_private=bool(row.include_private),
        default_length_minutes=default_length_minutes,
    )
    return query, str(filters.get("cancelled", "mark")), str(row.name)


def _readable(filters: Any) -> dict[str, Any]:
    """Stored filters in the form this version reads."""
    if not isinstance(filters, dict) or filters.get("version") != FILTERS_VERSION:
        raise NotFound(NO_SUCH_FEED)  # written by a newer screenings: not served
    return filters


def _by_id(record_id: int | None) -> str | None:
    return f"#{record_id}" if record_id is not None else None


def _naming(kind: str, record_id: int) -> Any:
    """The condition for the feeds that name the ``kind`` #``record_id``."""
    return or_(*(T.c[f"{key}_id"] == record_id for key, named in TARGETS.items() if named == kind))


def end_feeds(session: Session, kind: str, record_id: int, described: str) -> list[str]:
    """End every feed that names the ``kind`` #``record_id``, about to be removed; the
    names of those that were live. An ended feed never serves again (its address answers
    as an unknown token does) and ``feed list`` says why; its reference is cleared, which
    the removal needs, and cannot widen it, since it no longer serves. A feed revoked or
    ended already keeps its first end, and says what went."""
    if kind not in TARGETS.values():
        return []
    naming = _naming(kind, record_id)
    live = naming & T.c.revoked_at.is_(None) & T.c.ended_at.is_(None)
    names = list(session.execute(select(T.c.name).where(live).order_by(T.c.name)).scalars())
    because = f"its {kind} {described} was removed"[:300]
    session.execute(
        update(T)
        .where(naming, T.c.ended_at.is_(None))
        .values(ended_at=dt.datetime.now(UTC), ended_because=because)
    )
    for key, named in TARGETS.items():
        if named == kind:
            column = T.c[f"{key}_id"]
            session.execute(update(T).where(column == record_id).values({column: None}))
    return names


def carry_feeds(session: Session, kind: str, kept_id: int, duplicate_id: int) -> int:
    """Point every feed that names the duplicate ``kind`` at the record kept (``merge``);
    how many feeds."""
    moved = 0
    for key, named in TARGETS.items():
        if named == kind:
            column = T.c[f"{key}_id"]
            result = session.execute(
                update(T).where(column == duplicate_id).values({column: kept_id})
            )
            moved += result.rowcount  # type: ignore[attr-defined]
    return moved


def list_secret_feeds(session: Session) -> list[SecretFeed]:
    """Every secret feed, revoked ones too, by name."""
    return [_view(session, row) for row in session.execute(select(T).order_by(T.c.name))]


def _named(session: Session, name: str) -> Any:
    """The feed called ``name``, whatever the case and spacing, or None."""
    wanted = " ".join(name.split()).casefold()
    for row in session.execute(select(T)):
        if row.name.casefold() == wanted:
            return row
    return None


def revoke_secret_feed(session: Session, name: str) -> tuple[SecretFeed, bool]:
    """Revoke the feed called ``name`` (any case): its address answers 404 from the next
    request. Also says whether it was revoked already (then nothing changes)."""
    if not name.strip():
        raise InvalidInput("feed revoke: the name is empty")
    row = _named(session, name)
    if row is None:
        known = session.execute(select(T.c.name).order_by(T.c.name)).scalars().all()
        raise NotFound(
            f"feed: no secret feed called {name!r}"
            + (f"; there are: {', '.join(known)}" if known else "; there are none yet")
        )
    already = row.revoked_at is not None
    if not already:
        session.execute(update(T).where(T.c.id == row.id).values(revoked_at=dt.datetime.now(UTC)))
    return _view(session, session.execute(select(T).where(T.c.id == row.id)).one()), already


def _view(session: Session, row: Any) -> SecretFeed:
    filters = row.filters if isinstance(row.filters, dict) else {}
    return SecretFeed(
        name=row.name,
        filters=_described(session, row, filters),
        include_private=bool(row.include_private),
        cancelled=str(filters.get("cancelled", "mark")),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        ended_at=row.ended_at,
        ended_because=row.ended_because,
    )


def _described(session: Session, row: Any, filters: dict[str, Any]) -> list[str]:
    from screenings import models

    model = {
        "film": models.Film,
        "person": models.Person,
        "edition": models.Edition,
        "festival": models.Festival,
        "venue": models.Venue,
    }
    # An ended feed's references are cleared: say what went, not "all screenings".
    shown: list[str] = [row.ended_because] if row.ended_because else []
    for key, kind in TARGETS.items():
        record_id = getattr(row, f"{key}_id")
        if record_id is not None:  # an enforced reference: the record exists
            shown.append(f"{key}: {lookup.describe(session.get_one(model[kind], record_id))}")
    for field in ("city", "country", "section", "audience"):
        if field in filters:
            shown.append(f"{field}: {filters[field]}")
    for field in ("statuses", "kinds"):
        if field in filters:
            shown.append(
                f"{field.removesuffix('es').removesuffix('s')}: {', '.join(filters[field])}"
            )
    if filters.get("upcoming"):
        shown.append("upcoming (read on each request)")
    shown.extend(
        f"{word}: {filters[word]} (read on each request)" for word in DATE_WORDS if word in filters
    )
    return shown
