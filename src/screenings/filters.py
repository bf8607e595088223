"""The screening filters, declared once: what a door offers to select screenings by.

Each filter has its name (a web parameter's, a stored secret feed's), the field of
``query.ScreeningQuery`` it fills, the type a door reads its value as, its help, the
doors that offer it, and, for one that names a record, the kind of record. The command
line's options (``cli.filters``), the feed server's parameters (``web``) and a secret
feed's stored form (``services.secret_feeds``) all come from here; its SQL is
``query.SQL``, by the same name. Adding a filter is one entry here and its SQL there.

A private filter is declared for the doors that may use it only: ``include_private``
is never a web parameter (DESIGN.md, invariant 8). This module imports nothing: the
command line builds its options from it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

CLI, WEB, SECRET = "cli", "web", "secret"


@dataclass(frozen=True)
class Filter:
    """One screening filter (see the module's docstring)."""

    name: str
    field: str  # of ``ScreeningQuery``
    type: type  # str, int, bool (a switch) or list (repeatable, of words)
    help: str
    doors: frozenset[str]
    refers: str | None = None  # the kind of record it names: kept as an enforced reference
    option: str | None = None  # the command line's, where it is not --NAME

    @property
    def cli_option(self) -> str:
        return self.option or "--" + self.name.replace("_", "-")


_ALL = frozenset({CLI, WEB, SECRET})
# The feed server names a record by its address, and offers no relative start, no year
# apart from its edition, and never private screenings: these filters are not its.
_NAMED = frozenset({CLI, SECRET})
FILTERS: tuple[Filter, ...] = (
    Filter("film", "film", str, "A film: its title or words of it, 'Title (2012)', or #ID.",
           _NAMED, refers="film"),
    Filter("person", "person", str, "Anyone credited on the film.", _NAMED, refers="person"),
    Filter("director", "director", str, "A director of the film.", _NAMED, refers="person"),
    Filter("festival", "festival", str, "A festival (all its editions).",
           _NAMED, refers="festival"),
    Filter("edition", "edition", str, "An edition: 'Sheffield Doc/Fest 2013'.",
           _NAMED, refers="edition"),
    # With the festival, an edition: a secret feed keeps the edition.
    Filter("year", "year", int, "With --festival: that edition.",
           _NAMED),
    Filter("venue", "venue", str, "A venue: name, 'Name (City)' or #ID.",
           _NAMED, refers="venue"),
    Filter("city", "city", str, "A city (the venue's, else the screening's).", _ALL),
    Filter("country", "country", str, "A country (the venue's, else the festival's).", _ALL),
    Filter("from", "dates", str, "From this date or range on (local dates).", _ALL),
    Filter("to", "dates", str, "Up to this date or range, included.", _ALL),
    Filter("on", "dates", str, "On this day.", _ALL),
    Filter("in", "dates", str, "In 'June 2013', '2013', 'this week', 'next month', ...", _ALL),
    Filter("upcoming", "upcoming_from", bool, "Only screenings that have not started.",
           _NAMED),
    Filter("status", "statuses", list,
           "scheduled, tentative, postponed, cancelled (repeatable).", _ALL),
    Filter("kind", "kinds", list, "regular, special, gala, press, ... (repeatable).", _ALL),
    Filter("section", "section", str, "The programme section of the film's selection.", _ALL),
    Filter("audience", "audience", str, "The audience, e.g. 'members of parliament'.", _ALL),
    Filter("include_private", "include_private", bool, "Include private screenings.",
           _NAMED),
    # A person's plan is theirs: never a web parameter; its secret feed keeps it.
    Filter("plan", "plan", str,
           "The screenings a plan chose (screenings plan solve); private ones when the plan "
           "takes them.", _NAMED, refers="plan"),
)  # fmt: skip


def filters_for(door: str) -> tuple[Filter, ...]:
    """The filters ``door`` (``CLI``, ``WEB``, ``SECRET``) offers, in declared order."""
    return tuple(declared for declared in FILTERS if door in declared.doors)
