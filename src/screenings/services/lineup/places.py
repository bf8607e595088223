# mypy: disable-error-code="misc"
"""Where a row is: its festival, edition, venue, city and zone, found once per spelling
(aliases included), or planned; a festival this import makes takes its place from its
rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from screenings import lookup
from screenings import tables as T
from screenings.errors import InvalidInput, Message
from screenings.keys import city_key, name_key
from screenings.records import LineupRow
from screenings.services.aliases import KEPT_BY
from screenings.services.catalog import stored_places
from screenings.services.lineup.common import UNSEEN, Pending, Resolved, RowError
from screenings.services.schedule import choose_zone

if TYPE_CHECKING:
    from screenings.services.lineup.importer import Importer


@dataclass
class PlaceState:
    """What the places stage knows: festivals, editions, venues and cities, as found in
    the catalogue or planned by this import, and their zones."""

    festivals: dict[str, tuple[int | Pending, str | None]] = field(default_factory=dict)
    editions: dict[tuple[str, int, str], int | Pending] = field(default_factory=dict)
    edition_zone: dict[int, str | None] = field(default_factory=dict)
    venues: dict[tuple[str, str | None], int | Pending | str] = field(default_factory=dict)
    venue_zone: dict[int, str | None] = field(default_factory=dict)
    # The name and city keys of the venues made, by id (``Fingerprints.held_alone``).
    venues_made: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    cities: dict[str, str] = field(default_factory=dict)  # by key, stored and added
    cities_read: bool = False
    alias_keys: dict[str, set[str]] = field(default_factory=dict)  # see aliased
    festival_places: dict[tuple[int, str], tuple[str, int]] = field(default_factory=dict)
    festival_places_warned: set[tuple[int, str]] = field(default_factory=set)
    # What each spelling was found as (see edition()).
    found: dict[str, dict[Any, Any]] = field(default_factory=lambda: defaultdict(dict))


def _edition_key(
    festival: str, year: int, label: str | None
) -> tuple[tuple[str, int, str], str | None]:
    """How a row's edition is known during an import (its festival's and label's keys,
    its year), and its label tidied."""
    tidy = " ".join(label.split()) if label else None
    return (name_key(festival), year, name_key(tidy or "")), tidy


class Places:
    """A stage of ``Importer`` (its methods read and write the import's state)."""

    # -- festivals, editions, venues, cities ---------------------------------------------------
    # Each is found once per spelling in the file (a lineup names them over and over), and
    # what a spelling found never changes during an import.
    def find_editions(self: Importer, items: list[LineupRow]) -> None:
        """The stored festivals and editions these rows name that no row before them
        named, asked for a thousand at a time (1,000 changed rows of 200 festivals asked
        400 queries one by one): ``_festival`` and ``_edition`` then find them known.
        What is not found (a new festival or edition, an alias) is left to them."""
        spellings = {
            (item.festival, item.edition_year, item.edition_label)
            for item in items
            if item.festival and item.edition_year is not None
        } - self.place_state.found["edition"].keys()
        self._stored_festivals({name_key(festival) for festival, _year, _label in spellings})
        wanted: dict[tuple[int, int], list[tuple[str, int, str]]] = defaultdict(list)
        for festival, year, label in spellings:
            key, _label = _edition_key(festival, year, label)
            number = self.place_state.festivals.get(key[0], (None,))[0]
            if isinstance(number, int) and key not in self.place_state.editions:
                wanted[number, year].append(key)
        self._stored_editions(wanted)

    def _stored_festivals(self: Importer, keys: set[str]) -> None:
        """The stored festivals of these name keys not known yet, as known (by id, with
        their zones), a thousand at a time; a key no festival has stays unknown."""
        FE = T.festival.c
        wanted = sorted(keys - self.place_state.festivals.keys())
        for start in range(0, len(wanted), 1000):
            for number, zone, key in self.session.execute(
                select(FE.id, FE.timezone, FE.name_key).where(
                    FE.name_key.in_(wanted[start : start + 1000])
                )
            ):
                self.place_state.festivals[key] = (number, zone)

    def _stored_editions(
        self: Importer, wanted: dict[tuple[int, int], list[tuple[str, int, str]]]
    ) -> None:
        """The stored editions of these keys, by (festival id, year), as known, a
        thousand festivals at a time: of two labels of one key, the later made (in id
        order); a key no edition has stays unknown."""
        E = T.edition.c
        festivals = sorted({number for number, _year in wanted})
        years = sorted({year for _number, year in wanted})
        for start in range(0, len(festivals), 1000):
            for number, festival, year, label in self.session.execute(
                select(E.id, E.festival_id, E.year, E.label)
                .where(E.festival_id.in_(festivals[start : start + 1000]), E.year.in_(years))
                .order_by(E.id)
            ):
                for key in wanted.get((festival, year), ()):
                    if name_key(label or "") == key[2]:
                        self.place_state.editions[key] = number

    def edition(self: Importer, item: LineupRow) -> int | Pending | None:
        return self.edition_spelt((item.festival, item.edition_year, item.edition_label))

    def edition_spelt(
        self: Importer, spelling: tuple[str | None, int | None, str | None]
    ) -> int | Pending | None:
        """The edition a row names as (festival, year, label), found or planned."""
        found = self.place_state.found["edition"].get(spelling, UNSEEN)
        if found is UNSEEN:
            found = self.place_state.found["edition"][spelling] = self._edition(*spelling)
        return found  # type: ignore[no-any-return]

    def _edition(
        self: Importer, festival_name: str | None, year: int | None, label: str | None
    ) -> int | Pending | None:
        if festival_name is None:
            if year is not None:
                raise RowError("edition", str(year), "an edition with no festival")
            return self.options.edition_id
        if year is None:
            raise RowError(
                "edition",
                "",
                f"which year of {festival_name}? give an Edition column or {{year}}",
                ("year",),
            )
        festival, _zone = self.festival(festival_name)
        key, label = _edition_key(festival_name, year, label)
        if key not in self.place_state.editions and isinstance(festival, int):
            self._stored_editions({(festival, year): [key]})
        if key not in self.place_state.editions:
            self.place_state.editions[key] = Pending(
                T.edition,
                {"festival_id": festival, "year": year, "label": label},
                f"{festival_name} {year}" + (f" {label}" if label else ""),
            )
        return self.place_state.editions[key]

    def festival(self: Importer, name: str) -> tuple[int | Pending, str | None]:
        found = self.place_state.found["festival"].get(name)
        if found is None:
            found = self.place_state.found["festival"][name] = self._festival(name)
        return found

    def _festival(self: Importer, name: str) -> tuple[int | Pending, str | None]:
        key = name_key(name)
        self._stored_festivals({key})
        if key not in self.place_state.festivals:
            kept = self.aliased("festival", name)
            tidy = " ".join(name.split())
            self.place_state.festivals[key] = (
                (kept.id, kept.timezone)
                if kept is not None
                else (
                    Pending(
                        T.festival,
                        {"name": tidy, "name_key": key, "city": None, "timezone": None},
                        tidy,
                    ),
                    None,
                )
            )
        return self.place_state.festivals[key]

    def _zone_of_edition(self: Importer, edition_id: int) -> str | None:
        return self.session.scalar(
            select(T.festival.c.timezone)
            .join(T.edition, T.edition.c.festival_id == T.festival.c.id)
            .where(T.edition.c.id == edition_id)
        )

    def venue(self: Importer, item: LineupRow) -> int | Pending | None:
        if not item.venue:
            return None
        found = self.place_state.found["venue"].get((item.venue, item.city))
        if found is None:
            found = self.place_state.found["venue"][item.venue, item.city] = self._venue(item)
        if isinstance(found, str):
            raise RowError("venue", item.venue, found)
        return found

    def _venue(self: Importer, item: LineupRow) -> int | Pending | str:
        assert item.venue is not None
        name = " ".join(item.venue.split())
        city = self.city(item.city)
        key = (name_key(name), city_key(city))
        if key not in self.place_state.venues:
            stored = self.session.execute(
                select(T.venue.c.id, T.venue.c.city, T.venue.c.timezone).where(
                    T.venue.c.name_key == key[0]
                )
            ).all()
            here = [s for s in stored if city is None or name_key(s.city or "") == key[1]]
            named = [  # the same name earlier in this file: with a city, or with none
                v
                for (n, c), v in self.place_state.venues.items()
                if n == key[0] and not isinstance(v, str)
            ]
            unplaced = self.place_state.venues.get((key[0], None))
            if city is None and not here and len(named) == 1:
                self.place_state.venues[key] = named[0]
            elif (
                city is not None
                and not here
                and isinstance(unplaced, Pending)
                and unplaced.values["city"] is None  # not one made in a city, found by name
            ):
                unplaced.values["city"] = city  # named without its city first, then with it
                unplaced.label = f"{name}, {city}"
                self.place_state.venues[key] = unplaced
            elif city is None and len(here) > 1:
                cities = ", ".join(sorted(s.city or "no city" for s in here))
                self.place_state.venues[key] = (
                    f"several venues are called {name} (in {cities}); add a City"
                )
            elif here:
                self.place_state.venues[key] = here[0].id
                self.place_state.venue_zone[here[0].id] = here[0].timezone
            elif (kept := self.aliased("venue", name, city)) is not None:
                self.place_state.venues[key] = kept.id
                self.place_state.venue_zone[kept.id] = kept.timezone
            else:
                label = f"{name}, {city}" if city else name
                values = {"name": name, "name_key": key[0], "city": city, "timezone": None}
                self.place_state.venues[key] = Pending(T.venue, values, label)
        return self.place_state.venues[key]

    def place_festival(self: Importer, item: LineupRow, row: Resolved) -> None:
        """A festival this import makes is where its first row is: that row's city, and
        the zone the row gives (its Timezone, ``--timezone``, or its stored venue's zone;
        not the configured default). A later row that says otherwise is warned of, once,
        with both values and their lines."""
        if not item.festival:
            return
        festival = self.festival(item.festival)[0]
        if not isinstance(festival, Pending) or festival.id is not None:
            return
        venue_zone = (
            self.place_state.venue_zone.get(row.venue) if isinstance(row.venue, int) else None
        )
        for field_name, value in (
            ("city", self.city(item.city)),
            ("timezone", item.timezone or venue_zone),
        ):
            if value is None:
                continue
            first = self.place_state.festival_places.setdefault(
                (id(festival), field_name), (value, item.line)
            )
            if first[0] == value or first[1] == item.line:
                festival.values[field_name] = first[0]
                continue
            if (id(festival), field_name) in self.place_state.festival_places_warned:
                continue
            self.place_state.festival_places_warned.add((id(festival), field_name))
            said = Message(
                f"{item.file}:{item.line}: festival {festival.label!r} is made with "
                f"{field_name} {first[0]!r}, as line {first[1]} says; this row says {value!r}"
            )
            self.report.warnings.append(said)
            self.emit({"type": "warning", "kind": "place", "file": item.file, "line": item.line,
                       "message": said})  # fmt: skip

    def aliased(
        self: Importer, kind: str, name: str, city: str | None = None, year: int | None = None
    ) -> Any:
        """The one record ``name`` is another name of (kept by a merge or a rename), said once, or
        None (none, or several, or a film of another year: then the name makes a new
        record, as before). The names that are aliases are read once per kind."""
        keys = self.place_state.alias_keys.get(kind)
        if keys is None:
            A = T.alias.c
            keys = self.place_state.alias_keys[kind] = set(
                self.session.scalars(select(A.name_key).where(A.kind == kind))
            )
        if name_key(name) not in keys:
            return None
        found = lookup.aliased(self.session, kind, name, city)
        if year is not None:  # a film of another year is another film
            found = [r for r in found if r.year in {None, year}]
        if len(found) != 1:
            return None
        said = Message(
            f"{self.report.name}: {kind} {name!r} is another name of "
            f"{lookup.describe(found[0])} ({KEPT_BY}); read as that"
        )
        self.report.warnings.append(said)
        self.emit({"type": "warning", "kind": "alias", "message": said})
        return found[0]

    def city(self: Importer, text: str | None) -> str | None:
        """A city in the spelling already stored for it, if any ("sheffield" -> "Sheffield")."""
        if not text:
            return None
        found = self.place_state.found["city"].get(text)
        if found is None:
            found = self.place_state.found["city"][text] = self._city(text)
        return found

    def _city(self: Importer, text: str) -> str:
        tidy = " ".join(text.split())
        if not self.place_state.cities_read:  # read once: this import's rows add to it as they go
            self.place_state.cities.update(stored_places(self.session))
            self.place_state.cities_read = True
        return self.place_state.cities.setdefault(name_key(tidy), tidy)

    def zone(self: Importer, item: LineupRow, row: Resolved) -> str:
        """The rule of ``add screening`` (``schedule.choose_zone``), for a row."""
        venue = row.venue
        venue_zone = (
            venue.values["timezone"]
            if isinstance(venue, Pending)
            else self.place_state.venue_zone.get(venue)
            if venue is not None
            else None
        )
        festival_zone = None
        if item.festival:
            festival, festival_zone = self.festival(item.festival)
            if isinstance(festival, Pending):  # made by this import: where its rows said
                festival_zone = festival.values["timezone"]
        elif isinstance(row.edition, int):
            festival_zone = self.place_state.edition_zone.get(row.edition)
        # The file's Timezone column, when it has one, is named by the message already.
        give = "fill in this cell" if "timezone" in self.fields else "add a Timezone column"
        try:
            return choose_zone(
                venue_zone,
                item.venue,
                item.timezone,
                festival_zone,
                self.settings.default_timezone,
                field=None,
                hint=f"{give}, pass {{timezone}}, or set SCREENINGS_TIMEZONE",
            )
        except InvalidInput as exc:
            raise RowError("timezone", item.timezone or "", exc.detail, exc.mentions) from None
