"""The rules of every value the catalogue keeps, whichever door it comes through.

One leaf module that the schema (``tables``), the model, the parsers, the services and
the server share, so that the command line, an import, a web parameter and either
database judge a value alike (STYLE.md, "One rule, one place, every path"). It imports
only the standard library, tzdata's data and ``screenings.errors``.

- the closed vocabularies (statuses, visibility, selection statuses, results);
- the longest text each column keeps (``LENGTHS``): the schema's widths, which a
  CHECK enforces alike on both databases (migration 0005);
- text hygiene (``clean_text``): no NUL and no C0 or C1 control character (a newline
  and a tab where a field allows several lines), whitespace collapsed in names;
- one web address rule (``check_url``);
- one zone rule (``canonical_zone``);
- the years a date may have, and the two orders a numeric date may be read in;
- the days an edition may run on, for its year.

A check raises ``InvalidInput`` about the field it judges, ``what``: a service's field
(``ticket_url``), which each door then names in its own terms (``--ticket-url``, a web
parameter), or a door's own words for it (``column 'Ticket URL'``), kept as they are.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from screenings.errors import InvalidInput

# --- Closed vocabularies --------------------------------------------------------------------

SCREENING_STATUSES = ("scheduled", "tentative", "postponed", "cancelled")
VISIBILITIES = ("public", "private")
SELECTION_STATUSES = ("selected", "competition", "out_of_competition", "withdrawn")
NOMINATION_RESULTS = ("nominated", "won", "special_mention")
# Open vocabularies (credit role, link kind, screening kind) are free lower-case text;
# these only document the usual values.
SCREENING_KIND_EXAMPLE = "regular, special, gala, press"
COMMON_CREDIT_ROLES = ("director", "producer", "writer", "editor", "cinematographer", "composer")
COMMON_LINK_KINDS = ("trailer", "website", "interactive", "review", "press_kit")
COMMON_SCREENING_KINDS = ("regular", "special", "gala", "press", "industry", "premiere")

# --- Years and dates -------------------------------------------------------------------------

MIN_YEAR, MAX_YEAR = 1870, 2200
# The planner's bounds: a wish's priority, and a travel time or buffer in minutes (a day).
MIN_PRIORITY, MAX_PRIORITY = 1, 5
DEFAULT_PRIORITY = 3
DEFAULT_TRAVEL_MINUTES = 15
MAX_TRAVEL_MINUTES = 24 * 60
MAX_SLOT_MINUTES = 7 * 24 * 60  # a screening's own slot: a minute to a week
DAY_ORDERS = ("dayfirst", "monthfirst")

# --- Lengths -----------------------------------------------------------------------------------

# The longest text each column keeps, by table: the schema's String widths. Columns of
# type Text (a film's synopsis, notes) have no limit, on either database.
LENGTHS: dict[str, dict[str, int]] = {
    "person": {"name": 300, "name_key": 300, "slug": 100},
    "film": {
        "title": 500,
        "title_key": 500,
        "slug": 100,
        "original_title": 500,
        "website": 1000,
        "imdb_id": 20,
    },
    "credit": {"role": 60},
    "film_link": {"kind": 60, "url": 1000, "label": 300},
    "festival": {
        "name": 300,
        "name_key": 300,
        "slug": 100,
        "city": 200,
        "country": 100,
        "website": 1000,
        "timezone": 64,
    },
    "edition": {"label": 200, "slug": 100},
    "selection": {"section": 200, "premiere": 100, "status": 30},
    "programme": {"title": 500, "title_key": 500, "slug": 100, "section": 200},
    "programme_film": {"extra": 300},
    "venue": {
        "name": 300,
        "name_key": 300,
        "slug": 100,
        "address": 500,
        "city": 200,
        "country": 100,
        "timezone": 64,
    },
    "screening": {
        "uid": 255,
        "external_id": 200,
        "city": 200,
        "timezone": 64,
        "kind": 60,
        "status": 30,
        "visibility": 30,
        "audience": 200,
        "ticket_url": 1000,
    },
    "award": {"name": 300, "name_key": 300, "presenter": 300},
    "nomination": {"category": 300, "result": 30},
    "feed_token": {"name": 200, "token_hash": 64, "ended_because": 300},
    "retired_slug": {"kind": 20, "slug": 100, "successor": 100},
    "import_source": {"kind": 20},
    "alias": {"kind": 20, "name": 500, "name_key": 500, "city": 200},
    "record_base": {"kind": 20},
    "row_fingerprint": {
        "digest": 32,
        "title_key": 500,
        "venue_key": 300,
        "city_key": 200,
        "festival_key": 300,
        "label_key": 200,
    },
    "plan": {"name": 200, "name_key": 200, "owner": 300},
    "plan_busy": {"note": 300},
    "plan_choice": {"status": 30, "said": 1000},
    "plan_problem": {"text": 1000},
}
# A base holds what a file gave a screening: the screening's own widths (but its uid).
LENGTHS["screening_base"] = {
    **{c: n for c, n in LENGTHS["screening"].items() if c != "uid"},
    "stated": 200,
}
# Columns that may hold several lines (a newline or a tab is kept there).
MULTILINE = {
    ("film", "synopsis"),
    ("selection", "notes"),
    ("screening", "notes"),
    ("programme", "notes"),
}


def length(table: str, column: str) -> int:
    """The most characters ``table.column`` keeps."""
    return LENGTHS[table][column]


# --- Text hygiene -----------------------------------------------------------------------------

# NUL, the C0 and C1 controls and DEL. In one line of text (a name, a title, a city)
# the whitespace controls (tab, line feed, vertical tab, form feed, carriage return)
# are whitespace, collapsed with the rest; in a field of several lines, a line feed and
# a tab are kept. Format characters (a soft hyphen, a bidi mark) are text and stay.
_CONTROL_IN_LINE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str, *, what: str, limit: int | None = None, multiline: bool = False) -> str:
    """``value`` as the catalogue keeps it, or ``InvalidInput`` naming ``what``.

    Refused: a NUL or any other control character (C0, DEL, C1), and more than
    ``limit`` characters once tidied. One line of text has every run of whitespace
    made one space, and none at either end; text of several lines (``multiline``: a
    synopsis, notes) keeps its line feeds and tabs, CR LF and CR becoming a line feed,
    and is trimmed. Empty stays empty: whether a field may be empty is its own rule.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    found = (_CONTROL_IN_LINES if multiline else _CONTROL_IN_LINE).search(value)
    if found is not None:
        raise InvalidInput(
            f"holds a control character ({_codepoint(found.group())}) at "
            f"character {found.start() + 1}; expected text",
            field=what,
        )
    value = value.strip() if multiline else " ".join(value.split())
    if limit is not None:
        check_length(value, what=what, limit=limit)
    return value


def check_length(value: str, *, what: str, limit: int) -> str:
    """``value`` if it has at most ``limit`` characters; else ``InvalidInput``."""
    if len(value) > limit:
        raise InvalidInput(f"{len(value):,} characters; at most {limit:,}", field=what)
    return value


def check_key_length(value: str, *, key: str, what: str, limit: int) -> str:
    """``value``, a name whose matching key (``keys.name_key(value)``, given as ``key``)
    fits the key's column, as long as the name's (``LENGTHS``): folding case and accents
    can lengthen a name ("ß" is "ss"), and a key longer than its column is refused here,
    in the name's terms, not by the database in the key's."""
    if len(key) > limit:
        raise InvalidInput(
            f"{len(key):,} characters once case and accents are folded (its key, "
            f"which finds it however it is typed); at most {limit:,}",
            field=what,
        )
    return value


def _codepoint(char: str) -> str:
    name = unicodedata.name(char, "") or {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL"}.get(
        char, "a control character"
    )
    return f"U+{ord(char):04X} {name}".rstrip()


# --- Web addresses ------------------------------------------------------------------------------


def check_url(value: str, *, what: str, limit: int = 1000) -> str:
    """A web address (http or https, with a host), trimmed; ``InvalidInput`` naming
    ``what`` otherwise. No whitespace or control character inside: a line break would
    end a calendar's property there, and a space is no part of an address."""
    address = value.strip()
    try:
        parts = urlsplit(address)
        host, _port = parts.hostname, parts.port  # a bad port or [IPv6] host: ValueError
    except ValueError:
        host = None
    if (
        host is None
        or parts.scheme.lower() not in {"http", "https"}
        or any(c.isspace() or ord(c) < 32 or 127 <= ord(c) < 160 for c in address)
        or any(unicodedata.category(c) == "Cf" for c in address)  # zero-width, bidi marks
    ):
        raise InvalidInput(
            f"{address[:80]!r} is not a web address; expected https://...", field=what
        )
    return check_length(address, what=what, limit=limit)


def site_address(value: str, *, what: str) -> str:
    """The public address of the site (``--base-url``, ``SCREENINGS_BASE_URL``): a web
    address with no query or fragment, which links to pages and feeds start with; its
    trailing slash taken off."""
    address = check_url(value, what=what)
    parts = urlsplit(address)
    if parts.query or parts.fragment or address.endswith("?"):
        raise InvalidInput(
            f"expected http(s)://HOST[:PORT][/PATH], with no query or fragment, got {value!r}",
            field=what,
        )
    return address.rstrip("/")


# --- Time zones -----------------------------------------------------------------------------------

_REFUSED_ZONES = re.compile(r"^(?:posix/|right/|posixrules$|factory$|localtime$)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _zone_table() -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    """(every name the zone database knows, lower-cased -> its spelling; the names the
    country tables list; link -> target), from tzdata's ``tzdata.zi`` and ``zone.tab``."""
    from importlib.resources import files

    base = files("tzdata").joinpath("zoneinfo")
    spelled: dict[str, str] = {}
    links: dict[str, str] = {}
    for line in base.joinpath("tzdata.zi").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "Z":
            spelled[parts[1].lower()] = parts[1]
        elif len(parts) == 3 and parts[0] == "L":
            spelled[parts[2].lower()] = parts[2]
            links[parts[2]] = parts[1]
    listed: set[str] = set()
    for table in ("zone.tab", "zone1970.tab"):
        for line in base.joinpath(table).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                listed.add(line.split("\t")[2])
    return spelled, frozenset(listed), links


def canonical_zone(value: str, *, what: str) -> str:
    """The IANA zone ``value`` means, as the catalogue keeps it; ``InvalidInput`` naming
    ``what`` when there is none.

    Any case is read (``europe/paris``). A name the country tables list (``zone.tab``,
    ``zone1970.tab``) is kept as the zone database spells it, even where the database
    makes it a link (``Europe/Amsterdam`` stays, a country's own zone); any other link
    becomes its target (``US/Eastern`` -> ``America/New_York``, ``Asia/Calcutta`` ->
    ``Asia/Kolkata``, ``UTC`` -> ``Etc/UTC``). ``posix/...`` and ``right/...`` (the
    same rules from other directories, ``right/`` counting leap seconds: 25 s off),
    ``posixrules``, ``Factory`` and ``localtime`` are refused.
    """
    name = value.strip()
    spelled, listed, links = _zone_table()
    known = spelled.get(name.lower()) if name and not _REFUSED_ZONES.match(name) else None
    if known is None:
        raise InvalidInput(
            f"unknown time zone {value.strip()[:80]!r}; expected an IANA name such "
            "as 'Europe/London'",
            field=what,
        )
    seen = 0
    while known not in listed and known in links and seen < 8:
        known, seen = links[known], seen + 1
    return known


def open_word(value: str, *, what: str, limit: int) -> str:
    """A word of an open vocabulary (a credit role, a link kind, a screening kind) as the
    catalogue keeps it: clean text, lower-case, its words joined by ``_`` ("Sound
    Design" -> ``sound_design``, "Éditeur" -> ``éditeur``), at most ``limit``
    characters; "" for a value with no word."""
    return check_length(
        "_".join(clean_text(value, what=what).lower().split()), what=what, limit=limit
    )


def required_word(value: str, *, what: str, limit: int, example: str) -> str:
    """A word of an open vocabulary that must be given (``open_word``); ``InvalidInput``
    about ``what``, with an ``example`` of such words, when it has no word."""
    word = open_word(value, what=what, limit=limit)
    if not word:
        raise InvalidInput(f"empty; expected e.g. {example}", field=what)
    return word


# Other words programmes and people write for a word of a closed vocabulary, read as it
# wherever it is given (an option, a lineup's cell, a feed's parameter).
SYNONYMS = {"canceled": "cancelled", "confirmed": "scheduled", "winner": "won"}


def closed_word(value: str, allowed: tuple[str, ...], *, what: str) -> str:
    """A word of a closed vocabulary (``allowed``) as the catalogue keeps it: clean text,
    lower-case, its words joined by ``_`` (``Special Mention`` -> ``special_mention``),
    a synonym read as its word (``canceled`` -> ``cancelled``, ``winner`` -> ``won``);
    ``InvalidInput`` naming ``what`` when it is none of them."""
    word = "_".join(clean_text(value, what=what).lower().split())
    word = SYNONYMS.get(word, word)
    if word not in allowed:
        raise InvalidInput(f"expected one of {', '.join(allowed)}, got {value[:80]!r}", field=what)
    return word


# --- Day order ----------------------------------------------------------------------------------


def day_order(dayfirst: bool, monthfirst: bool, *, what: str) -> bool | None:
    """How numeric dates read: True day/month, False month/day, None not said. Both at
    once is ``InvalidInput`` naming ``what``, never the last one given winning."""
    if dayfirst and monthfirst:
        raise InvalidInput(f"both orders given; give one of {' or '.join(DAY_ORDERS)}", field=what)
    return True if dayfirst else False if monthfirst else None


# --- An edition's days ------------------------------------------------------------------------


def edition_days(
    year: int,
    first: dt.date | None,
    last: dt.date | None,
    *,
    what_first: str,
    what_last: str,
) -> None:
    """Refuse an edition's first and last days (either may be unknown) that do not fit
    its year: an edition is of the year it opens in, so its first day is in ``year``;
    its last day is in ``year`` too, or in the next one for an edition that runs over New
    Year (28 December to 3 January, a season from September to June), and never before
    its first. ``InvalidInput`` names ``what_first`` or ``what_last``."""
    if first is not None and first.year != year:
        raise InvalidInput(f"{first} is not in {year}, the edition's year", field=what_first)
    if last is None:
        return
    if first is not None and last < first:
        hint = (
            f" (an edition running over New Year ends in {year + 1})" if first.month == 12 else ""
        )
        raise InvalidInput(
            f"{last} is before {{{what_first}}} {first}{hint}",
            field=what_last,
            mentions=(what_first,),
        )
    if last.year not in (year, year + 1):
        raise InvalidInput(
            f"{last} is not in {year}, the edition's year (nor in {year + 1}, "
            "for an edition running over New Year)",
            field=what_last,
        )


def day_start(value: dt.time, *, what: str = "day_starts_at") -> dt.time:
    """A festival day's start (``edition.day_starts_at``): a wall time in whole minutes,
    with no zone of its own (it is the edition's festival's)."""
    if value.tzinfo is not None or value.second or value.microsecond:
        raise InvalidInput(f"expected a time of day such as 06:00, got {value}", field=what)
    return value
