"""The schedule pages' structured data: page records in, schema.org JSON-LD out, for
search engines. Pure: the same record and addresses give the same text.

One ``@graph`` a page. Each public screening on an edition, film, venue or programme
page is a ``ScreeningEvent`` whose ``@id`` is its own stable address,
``{base}/screenings/{id}``, which the server sends on to the screening's place on its
film's (or programme's) page. What screenings share (a film, a venue, an edition) is
one node of the graph, named by ``@id`` (its page's address) wherever it recurs: the
edition page of 500 screenings says its venues 12 times, not 500. The edition page
is about the edition itself, a ``Festival`` whose ``subEvent`` holds its screenings'
nodes (each still names it as its ``superEvent``). Private screenings are never in a
page record, so never here.

Times are the catalogue's local wall times with their UTC offsets; a screening whose
time is not known (TBA) has its date alone and no end, never an invented time; one
has an ``endDate`` only where its end is its own (``_own_end``), which keeps an edition
page's weight within the issue's 1.5 times.

The text is compact JSON that can sit in ``<script type="application/ld+json">``
whatever the catalogue holds: ``<``, ``>`` and ``&`` are written as ``\\u003c``,
``\\u003e`` and ``\\u0026``, so no title can close the element or start a comment, and
a JSON parser still reads the title as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from screenings.records import (
    EditionPage,
    FilmFacts,
    FilmPage,
    PageLink,
    PlaceFacts,
    ProgrammePage,
    ScheduleDay,
    ScheduleEntry,
    VenuePage,
)

SCHEMA = "https://schema.org/"
STATUS = {"cancelled": "EventCancelled", "postponed": "EventPostponed"}  # else EventScheduled
IMDB = "https://www.imdb.com/title/{}/"
_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class Addresses(Protocol):
    """The site's addresses, as the pages make them (``html.Pieces``): a record's page
    and a screening's, absolute; and whether an address from the catalogue may be
    linked to (``html.safe_url``: http or https, never ``javascript:``)."""

    def page_url(self, link: PageLink) -> str: ...

    def screening_url(self, screening_id: int) -> str: ...

    def outside(self, url: str | None) -> str | None: ...


def render_jsonld(kind: str, page: Any, addresses: Addresses) -> str | None:
    """The JSON-LD of the page of ``kind`` (``edition``, ``film``, ``venue`` or
    ``programme``), safe to put in a script element as it is; None for other pages."""
    data = structured_data(kind, page, addresses)
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_UNSAFE)


def structured_data(kind: str, page: Any, addresses: Addresses) -> dict[str, Any] | None:
    """The page's schema.org graph as JSON-ready data (``render_jsonld`` says what it
    holds); None for a page that has no screenings of its own to describe."""
    graph = _Graph(addresses)
    if kind == "edition":
        assert isinstance(page, EditionPage)
        graph.festival(page)
    elif kind == "film":
        assert isinstance(page, FilmPage)
        graph.screenings(entry for step in page.run for entry in step.entries)
    elif kind in {"venue", "programme"}:
        assert isinstance(page, VenuePage | ProgrammePage)
        graph.screenings(_entries(page.days))
    else:
        return None
    return {"@context": "https://schema.org", "@graph": [*graph.events, *graph.things.values()]}


def _entries(days: list[ScheduleDay]) -> Iterator[ScheduleEntry]:
    return (entry for day in days for entry in day.entries)


class _Graph:
    """A page's graph: its events (the edition it is about, holding its screenings; or
    the screenings, in the page's order), then the things they name (films, venues,
    editions), each once, by ``@id``, in the order first named."""

    def __init__(self, addresses: Addresses) -> None:
        self.addresses = addresses
        self.events: list[dict[str, Any]] = []
        self.things: dict[str, dict[str, Any]] = {}
        self.edition: str | None = None  # the address of the edition the page is about

    def festival(self, page: EditionPage) -> None:
        """The edition as a ``Festival``: its dates, where it is, and its screenings."""
        self.edition = address = self.addresses.page_url(page.link)
        node = _festival(address, page.link)
        edition = page.edition
        if edition.starts_on is not None:
            node["startDate"] = edition.starts_on.isoformat()
        if edition.ends_on is not None:
            node["endDate"] = edition.ends_on.isoformat()
        if page.place is not None:
            node["location"] = _place(page.place)
        screenings = [self._screening(entry) for entry in _entries(page.days)]
        if screenings:  # its screenings themselves: the graph says each once
            node["subEvent"] = screenings
        self.events.append(node)

    def screenings(self, entries: Iterable[ScheduleEntry]) -> None:
        self.events.extend(self._screening(entry) for entry in entries)

    def _screening(self, entry: ScheduleEntry) -> dict[str, Any]:
        s = entry.screening
        address = self.addresses.screening_url(s.id)
        node: dict[str, Any] = {"@type": "ScreeningEvent", "@id": address}
        node["name"] = s.title
        movies = [self._movie(work) for work in entry.works]
        if movies:  # a programme's is its films, in order
            node["workPresented"] = movies if s.programme is not None else movies[0]
        if entry.place is not None:
            node["location"] = self._location(entry.place)
        node["startDate"] = s.start  # the date alone when the time is not known
        if entry.end is not None and _own_end(entry):
            node["endDate"] = entry.end
        if s.status in STATUS:  # a screening is scheduled unless it says otherwise
            node["eventStatus"] = SCHEMA + STATUS[s.status]
        if entry.edition is not None:
            node["superEvent"] = self._edition(entry.edition)
        languages = list(dict.fromkeys(lang for work in entry.works for lang in work.languages))
        if languages:
            node["inLanguage"] = languages
        tickets = self.addresses.outside(s.ticket_url)
        if tickets is not None:
            node["offers"] = {"@type": "Offer", "url": tickets}
        return node

    def _edition(self, link: PageLink) -> dict[str, str]:
        """A reference to the edition's ``Festival``: the page's own (``festival``), else
        a node of its name, made the first time."""
        address = self.addresses.page_url(link)
        if address not in self.things and address != self.edition:
            self.things[address] = _festival(address, link)
        return {"@id": address}

    def _movie(self, work: FilmFacts) -> dict[str, str]:
        """A reference to the film's ``Movie`` node, made the first time."""
        address = self.addresses.page_url(work.link)
        if address not in self.things:
            node: dict[str, Any] = {"@type": "Movie", "@id": address, "name": work.link.title}
            if work.directors:
                node["director"] = [{"@type": "Person", "name": name} for name in work.directors]
            if work.runtime_minutes:
                node["duration"] = _duration(work.runtime_minutes)
            if work.countries:
                node["countryOfOrigin"] = [
                    {"@type": "Country", "name": country} for country in work.countries
                ]
            if work.imdb_id:
                node["sameAs"] = IMDB.format(work.imdb_id)
            if work.link.year:
                node["dateCreated"] = str(work.link.year)
            self.things[address] = node
        return {"@id": address}

    def _location(self, place: PlaceFacts) -> dict[str, Any]:
        """A reference to the venue's ``MovieTheater`` node (made the first time); a
        screening with no venue, its city as a ``Place``, in line."""
        if place.link is None:
            return _place(place)
        address = self.addresses.page_url(place.link)
        if address not in self.things:
            self.things[address] = _place(place, "MovieTheater", address)
        return {"@id": address}


def _own_end(entry: ScheduleEntry) -> bool:
    """Whether the screening's end is its own to say: a slot of its own, or a
    programme's films' runtimes together. A single film's end is its ``Movie``'s
    ``duration`` on from the start; with no runtime, the end is a default, not a fact."""
    if entry.screening.duration_minutes is not None:
        return True
    return (
        entry.screening.programme is not None
        and bool(entry.works)
        and all(work.runtime_minutes for work in entry.works)
    )


def _festival(address: str, link: PageLink) -> dict[str, Any]:
    """An edition as a ``Festival``: its page's address, and its name with its year."""
    return {"@type": "Festival", "@id": address, "name": link.title, "url": address}


def _place(place: PlaceFacts, kind: str = "Place", page: str | None = None) -> dict[str, Any]:
    """A place (named by the address of its ``page``, when it has one) with what is
    known of its postal address and, when both are, its coordinates."""
    node: dict[str, Any] = {"@type": kind}
    if page is not None:
        node["@id"] = page
    node["name"] = place.name
    parts = {
        "streetAddress": place.address,
        "addressLocality": place.city,
        "addressCountry": place.country,
    }
    if any(parts.values()):
        known = {key: value for key, value in parts.items() if value}
        node["address"] = {"@type": "PostalAddress", **known}
    if place.latitude is not None and place.longitude is not None:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": place.latitude,
            "longitude": place.longitude,
        }
    return node


def _duration(minutes: int) -> str:
    """ISO 8601: 105 minutes is ``PT1H45M``, 45 ``PT45M``, 120 ``PT2H``."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")
