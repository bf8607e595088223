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
from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from screenings import lookup, models, rules, tables
from screenings.config import Settings
from screenings.errors import Conflict, InvalidInput, NotFound
from screenings.filters import SECRET, Filter, filters_for
from screenings.query import ScreeningQuery, from_filters
from screenings.timeparse import UTC

FILTERS_VERSION = 2  # 1 held the records' ids; migration 0004 moved them to columns
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
T = tables.feed_token
# A feed's reference columns (``<filter>_id``), and the kind of record each names: the
# filters that name a record (the schema's ``FEED_TARGETS``, which a test keeps equal).
TARGETS = {f.name: f.refers for f in filters_for(SECRET) if f.refers is not None}
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
    filters: Mapping[str, Any],
    *,
    settings: Settings,
    cancelled: str = "mark",
) -> tuple[SecretFeed, str, list[str]]:
    """Store a secret feed of what ``filters`` (values by filter name, as
    ``query.from_filters`` takes them) select: its records resolved to ids now (kept as
    enforced references), its other filters judged as every door judges them, and the
    words of its dates kept to be read on each request, in the configured date order.
    Returns the feed, its token (not stored: it cannot be shown again) and the notes on
    how names were read."""
    name = rules.clean_text(name, what="name", limit=rules.length("feed_token", "name"))
    if not name:
        raise InvalidInput("empty; expected a name for the feed", field="name")
    now = dt.datetime.now(UTC)
    query = from_filters(
        filters,
        today=now.date(),
        now=now,
        dayfirst=settings.dayfirst,
        default_length_minutes=settings.default_duration_minutes,
    )
    _statement, notes = query.statement(session)  # every name resolves, and is said back
    taken = _named(session, name)
    if taken is not None:
        revoked = f" (revoked on {taken.revoked_at:%Y-%m-%d})" if taken.revoked_at else ""
        raise Conflict(
            f"feed: there is already a secret feed called {taken.name!r}{revoked}; "
            "choose another name"
        )
    token = secrets.token_urlsafe(32)
    session.execute(
        insert(T).values(
            name=name,
            token_hash=token_hash(token),
            filters=_stored(query, filters, cancelled, settings.dayfirst),
            include_private=query.include_private,
            **_targets(session, query),
        )
    )
    row = session.execute(select(T).where(T.c.name == name)).one()
    return _view(session, row), token, notes


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
    if query.plan is not None:
        found["plan_id"] = lookup.find_plan(session, query.plan).id
    return found


def _stored(
    query: ScreeningQuery, given: Mapping[str, Any], cancelled: str, dayfirst: bool | None
) -> dict[str, Any]:
    """The filters that name no record, in the stored form (``FILTERS_VERSION``): each
    judged value under its field's name, a switch as True, the words of dates as given
    (with the order they are read in)."""
    stored: dict[str, Any] = {"version": FILTERS_VERSION, "cancelled": cancelled}
    if dayfirst is not None:
        stored["dayfirst"] = dayfirst
    for declared in filters_for(SECRET):
        if declared.refers is not None or declared.name in {"year", "include_private"}:
            continue  # kept as a reference column (a year, in its edition's), or a column
        if declared.field == "dates" or declared.type is bool:
            if given.get(declared.name):
                stored[_key(declared)] = given[declared.name]
        elif value := getattr(query, declared.field):
            stored[_key(declared)] = list(value) if declared.type is list else value
    return stored


def _key(declared: Filter) -> str:
    """A filter's key in the stored form: the words of a date and a switch (``upcoming``)
    by the filter's name, to be read on each request; a judged value by its field's."""
    return declared.name if declared.field == "dates" or declared.type is bool else declared.field


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
    given: dict[str, Any] = {}
    for declared in filters_for(SECRET):
        if declared.refers is not None:
            record_id = getattr(row, f"{declared.name}_id")
            given[declared.name] = f"#{record_id}" if record_id is not None else None
        elif declared.name == "include_private":
            given[declared.name] = bool(row.include_private)
        elif declared.name != "year":
            given[declared.name] = filters.get(_key(declared))
    now = dt.datetime.now(UTC)
    query = from_filters(
        given,
        today=now.date(),
        now=now,
        dayfirst=filters.get("dayfirst"),
        default_length_minutes=default_length_minutes,
    )
    return query, str(filters.get("cancelled", "mark")), str(row.name)


def _readable(filters: Any) -> dict[str, Any]:
    """Stored filters in the form this version reads."""
    if not isinstance(filters, dict) or filters.get("version") != FILTERS_VERSION:
        raise NotFound(NO_SUCH_FEED)  # written by a newer screenings: not served
    return filters


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
        raise InvalidInput("empty; expected the name of a secret feed", field="name")
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
    # A plan's feed holds the private screenings the plan takes, as long as it takes
    # them (read from the plan on each request, never stored with the feed).
    of_plan = row.plan_id is not None and lookup.find_plan(session, f"#{row.plan_id}")
    return SecretFeed(
        name=row.name,
        filters=_described(session, row, filters),
        include_private=bool(row.include_private or (of_plan and of_plan.include_private)),
        cancelled=str(filters.get("cancelled", "mark")),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        ended_at=row.ended_at,
        ended_because=row.ended_because,
    )


def _described(session: Session, row: Any, filters: dict[str, Any]) -> list[str]:
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
        if record_id is None:
            continue
        if kind == "plan":  # an enforced reference: the record exists
            plan = lookup.find_plan(session, f"#{record_id}")
            shown.append(f"plan: {plan.name} (#{plan.id})")
        else:
            shown.append(f"{key}: {lookup.describe(session.get_one(model[kind], record_id))}")
    for declared in filters_for(SECRET):
        value = filters.get(_key(declared)) if declared.refers is None else None
        if not value:
            continue
        if declared.field == "dates" or declared.type is bool:
            word = "" if value is True else f": {value}"
            shown.append(f"{declared.name}{word} (read on each request)")
        else:
            shown.append(f"{declared.name}: {', '.join(value) if declared.type is list else value}")
    return shown
