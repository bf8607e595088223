"""The schedule pages' JSON-LD (schema.org, issue 25), read as a search engine reads it:
extruct takes it out of the page the server sends, and every field of every screening
is checked against the catalogue as the command line lists it, on SQLite and PostgreSQL.

The catalogue is a realistic edition: 47 public screenings of 16 films at four venues
over six days (directors, countries, languages, IMDb ids, notes, ticket links), with a
shorts programme, a screening whose time is not announced, one in a town with no
venue, one that ends after the clocks go back, cancelled, postponed and private ones.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import extruct
import pytest

from screenings.cli import run
from screenings.config import Settings
from screenings.web import FeedApp
from tests.test_import import write_csv
from tests.test_pages import get

BASE = "https://films.example.org"
FESTIVAL = "Northern Lights Doc Fest"
EDITION = f"{FESTIVAL} 2025"
EDITION_PAGE = "/editions/northern-lights-doc-fest-2025"
SCHEMA = "https://schema.org/"

# title, year, runtime, countries, languages, IMDb, directors
FILMS = [
    ("Ice Tales", 2024, 84, "Finland", "Finnish, Sámi", "tt9100001", "Liisa Korhonen"),
    ("The Salt Road", 2024, 105, "India, France", "Hindi, French", "tt9100002",
     "Anjali Rao, Pierre Vasseur"),
    ("Harbour Lights", 2025, 92, "United Kingdom", "English", "tt9100003", "Ruth Ellison"),
    ("Quiet Fields", 2024, 120, "Ireland", "Irish, English", "tt9100004", "Ciarán Ó Duinn"),
    ("Paper Birds", 2025, "", "Japan", "Japanese", "", "Aiko Mori"),
    ("Winter Choir", 2023, 77, "Norway", "Norwegian", "tt9100006", "Sigrid Aas"),
    ("Long Division", 2025, 98, "United States", "English, Spanish", "tt9100007",
     "Dana Whitfield"),
    ("Atlas of Rain", 2024, 88, "Brazil", "Portuguese", "tt9100008", "Tomás Azevedo"),
    ("The Lighthouse Keepers", 2024, 71, "Canada", "English, French", "tt9100009",
     "Marie Tremblay, Owen Clarke"),
    ("Border Songs", 2025, 101, "Mexico", "Spanish", "tt9100010", "Lucía Herrera"),
    ("Glass Orchard", 2024, 83, "Germany", "German", "tt9100011", "Jonas Albrecht"),
    ("Field Notes", 2025, 66, "South Africa", "English, Zulu", "tt9100012", "Thandi Nkosi"),
    ("After the Flood", 2024, 94, "Pakistan", "Urdu", "tt9100013", "Sana Qureshi"),
]  # fmt: skip
SHORTS = [  # one programme, "Shorts Competition 1", in this order
    ("Night Bus", 2025, 14, "Estonia", "Estonian", "tt9100014", "Kadri Tamm"),
    ("Small Hours", 2025, 12, "Finland", "Finnish", "tt9100015", "Eero Laine"),
    ("Mothertongue", 2024, 19, "United Kingdom", "Welsh", "tt9100016", "Gwen Pritchard"),
]
# name, address, city, country, latitude, longitude
VENUES = [
    ("Showroom Cinema", "15 Paternoster Row", "Sheffield", "United Kingdom", "53.3786", "-1.4652"),
    ("Crucible Theatre", "55 Norfolk Street", "Sheffield", "United Kingdom", "53.3806", "-1.4672"),
    ("Curzon Sheffield", "1 Kit Place", "Sheffield", "United Kingdom", "", ""),
    ("Millennium Gallery", "", "Sheffield", "", "53.3799", "-1.4659"),
]
DAYS = [f"2025-10-{day}" for day in range(22, 28)]
TIMES = ["10:00", "12:30", "15:00", "18:00", "20:45"]
NOTES = ["Q&A with the director", "Introduced by the programmer", "",
         "Followed by a panel on archives & memory", "Audio described; captioned", ""]  # fmt: skip
HEADER = ["ID", "Title", "Year", "Runtime", "Country", "Language", "IMDb", "Director",
          "Festival", "Section", "Premiere", "Venue", "City", "Date", "Time", "Ticket URL",
          "Notes", "Status", "Private", "Block", "Duration"]  # fmt: skip


def lineup_rows() -> list[list[str]]:
    """Three screenings of each feature (the shorts in two programme screenings), then
    the rows that each make a case of their own."""
    rows = []
    for number in range(3 * len(FILMS)):
        title, year, runtime, countries, languages, imdb, directors = FILMS[number % len(FILMS)]
        venue = VENUES[number % len(VENUES)][0]
        day, time = DAYS[number % len(DAYS)], TIMES[number % len(TIMES)]
        rows.append(
            [f"NL{number:02d}", title, str(year), str(runtime), countries, languages, imdb,
             directors, EDITION, "Competition" if number % 2 else "Panorama",
             "UK premiere" if number < len(FILMS) else "", venue, "Sheffield", day, time,
             f"https://tickets.example.org/nl25/{number}?src=page&lang=en" if number % 3 else "",
             NOTES[number % len(NOTES)], "", "", ""]
        )  # fmt: skip
    for slot, (day, time) in enumerate([("2025-10-23", "16:00"), ("2025-10-25", "11:00")]):
        for title, year, runtime, countries, languages, imdb, directors in SHORTS:
            rows.append(
                [f"SH{slot}", title, str(year), str(runtime), countries, languages, imdb,
                 directors, EDITION, "Shorts", "", "Showroom Cinema", "Sheffield", day, time,
                 "", "Directors in attendance", "", "", "Shorts Competition 1"]
            )  # fmt: skip
    special = [
        # time not announced; in a town, no venue; after midnight, ending after the clocks
        # go back (02:00 BST is 01:00 GMT); cancelled; postponed; tentative; private.
        ["X1", "Border Songs", "2025", "", "", "", "", "", EDITION, "Panorama", "",
         "Showroom Cinema", "Sheffield", "2025-10-27", "", "", "", "", "", ""],
        ["X2", "Field Notes", "2025", "", "", "", "", "", EDITION, "Panorama", "", "",
         "Rotherham", "2025-10-24", "19:00", "", "Community screening", "", "", ""],
        ["X3", "Quiet Fields", "2024", "", "", "", "", "", EDITION, "Competition", "",
         "Crucible Theatre", "Sheffield", "2025-10-26", "00:30", "", "Midnight screening",
         "", "", ""],
        ["X4", "Atlas of Rain", "2024", "", "", "", "", "", EDITION, "Competition", "",
         "Curzon Sheffield", "Sheffield", "2025-10-26", "21:00", "", "", "cancelled", "", ""],
        ["X5", "Winter Choir", "2023", "", "", "", "", "", EDITION, "Panorama", "",
         "Millennium Gallery", "Sheffield", "2025-10-25", "21:00", "", "", "postponed", "", ""],
        ["X6", "Paper Birds", "2025", "", "", "", "", "", EDITION, "Panorama", "",
         "Curzon Sheffield", "Sheffield", "2025-10-27", "17:00", "", "", "tentative", "", ""],
        ["X7", "Glass Orchard", "2024", "", "", "", "", "", EDITION, "Competition", "",
         "Showroom Cinema", "Sheffield", "2025-10-22", "09:00", "", "Press and industry only",
         "", "yes", ""],
    ]  # fmt: skip
    slots = {"X3": "120"}  # Duration: a slot of its own
    return [[*row, slots.get(row[0], "")] for row in rows + special]


@pytest.fixture(scope="session")
def lineup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("jsonld")
    return write_csv(folder / "northern-lights.csv", lineup_rows(), HEADER)


@pytest.fixture
def url(
    backend: str, lineup: Path, copied_catalogue: Callable[[str, str, list[list[str]]], str]
) -> str:
    commands = [
        ["add", "festival", FESTIVAL, "--city", "Sheffield", "--country", "United Kingdom",
         "--timezone", "Europe/London"],
        ["add", "edition", FESTIVAL, "2025", "--from", "2025-10-22", "--to", "2025-10-27"],
    ]  # fmt: skip
    for name, address, city, country, lat, lon in VENUES:
        given = {"--address": address, "--country": country, "--lat": lat, "--lon": lon}
        options = [part for option, value in given.items() if value for part in (option, value)]
        commands.append(["add", "venue", name, "--city", city, "--timezone", "Europe/London",
                         *options])  # fmt: skip
    commands.append(["import", str(lineup)])
    return copied_catalogue(backend, "northern-lights", commands)


@pytest.fixture
def app(url: str) -> FeedApp:
    return FeedApp(Settings(url), base_url=BASE)


def listed(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    """What ``screenings list ... --format json`` lists (its one kind)."""
    capsys.readouterr()
    assert run(["--db", url, "list", *args, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    (kind,) = set(document) - {"version"}
    found: list[dict[str, Any]] = document[kind]
    return found


class Catalogue:
    """The catalogue as the command line lists it: public screenings, films, venues,
    festivals and editions, by id."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.screenings = {s["id"]: s for s in listed(url, capsys, "--edition", EDITION)}
        self.private = {
            s["id"]
            for s in listed(url, capsys, "--include-private", "--edition", EDITION)
            if s["visibility"] == "private"
        }
        self.films = {f["id"]: f for f in listed(url, capsys, "films")}
        self.venues = {v["id"]: v for v in listed(url, capsys, "venues")}
        (self.festival,) = listed(url, capsys, "festivals")
        (self.edition,) = listed(url, capsys, "editions")
        self.programmes = listed(url, capsys, "programmes")


@pytest.fixture
def catalogue(url: str, capsys: pytest.CaptureFixture[str]) -> Catalogue:
    return Catalogue(url, capsys)


def graph_of(body: bytes) -> dict[str, dict[str, Any]]:
    """The page's JSON-LD as extruct extracts it: one document, a graph, its nodes by
    ``@id`` (each once), an edition page's screenings from inside its ``Festival``."""
    (document,) = extruct.extract(body.decode(), base_url=BASE, syntaxes=["json-ld"])["json-ld"]
    assert document["@context"] == "https://schema.org"
    graph = document["@graph"]
    inside = [node for thing in graph for node in thing.get("subEvent", [])]
    nodes = {node["@id"]: node for node in graph + inside}
    assert len(nodes) == len(graph + inside)
    return nodes


def events(nodes: dict[str, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The page's ScreeningEvents, by the screening id their address ends with, with the
    films and places they refer to put in their place (as a search engine joins them);
    the edition (``superEvent``), a node of its own, left as the reference."""
    found = {}
    for address, node in nodes.items():
        if node["@type"] == "ScreeningEvent":
            number = int(address.removeprefix(f"{BASE}/screenings/"))
            found[number] = {
                key: value if key == "superEvent" else resolved(value, nodes)
                for key, value in node.items()
            }
    return found


def resolved(value: Any, nodes: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [resolved(item, nodes) for item in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return nodes[value["@id"]]
    return value


def iso_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def expected_event(s: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """The ScreeningEvent a screening of the catalogue must be, field by field, every
    reference resolved: its times worked out here from the wall date, time and zone."""
    address = f"{BASE}/screenings/{s['id']}"
    node: dict[str, Any] = {"@type": "ScreeningEvent", "@id": address}
    node["name"] = (s["programme"] or s["film"])["title"]
    movies = [movie(catalogue.films[f["id"]]) for f in s["films"]]
    node["workPresented"] = movies if s["programme"] else movies[0]
    if s["venue"] is not None:
        node["location"] = theatre(catalogue.venues[s["venue"]["id"]])
    else:
        town = {"@type": "PostalAddress", "addressLocality": s["city"]}
        node["location"] = {"@type": "Place", "name": s["city"], "address": town}
    if s["local_time"] is None:
        node["startDate"] = s["local_date"]
    else:
        zone = ZoneInfo(s["timezone"])
        wall = dt.datetime.fromisoformat(f"{s['local_date']}T{s['local_time']}")
        start = wall.replace(tzinfo=zone)
        end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=s["length_minutes"])).astimezone(
            zone
        )
        node["startDate"] = start.isoformat()
        known = all(catalogue.films[f["id"]]["runtime_minutes"] for f in s["films"])
        if s["duration_minutes"] is not None or (s["programme"] and known):
            node["endDate"] = end.isoformat()  # else the film's runtime (or nothing) says
    status = {"cancelled": "EventCancelled", "postponed": "EventPostponed"}
    if s["status"] in status:  # scheduled (or tentative) unless it says otherwise
        node["eventStatus"] = SCHEMA + status[s["status"]]
    node["superEvent"] = {"@id": f"{BASE}/editions/{catalogue.edition['slug']}"}
    languages = [lang for f in s["films"] for lang in catalogue.films[f["id"]]["languages"]]
    if languages:
        node["inLanguage"] = list(dict.fromkeys(languages))
    if s["ticket_url"]:
        node["offers"] = {"@type": "Offer", "url": s["ticket_url"]}
    return node


def movie(film: dict[str, Any]) -> dict[str, Any]:
    address = f"{BASE}/films/{film['slug']}"
    node: dict[str, Any] = {"@type": "Movie", "@id": address, "name": film["title"]}
    if film["directors"]:
        node["director"] = [{"@type": "Person", "name": name} for name in film["directors"]]
    if film["runtime_minutes"]:
        node["duration"] = iso_duration(film["runtime_minutes"])
    if film["countries"]:
        node["countryOfOrigin"] = [{"@type": "Country", "name": c} for c in film["countries"]]
    if film["imdb_id"]:
        node["sameAs"] = f"https://www.imdb.com/title/{film['imdb_id']}/"
    if film["year"]:
        node["dateCreated"] = str(film["year"])
    return node


def theatre(venue: dict[str, Any]) -> dict[str, Any]:
    address = f"{BASE}/venues/{venue['slug']}"
    node: dict[str, Any] = {"@type": "MovieTheater", "@id": address, "name": venue["name"]}
    parts = {"streetAddress": venue["address"], "addressLocality": venue["city"],
             "addressCountry": venue["country"]}  # fmt: skip
    node["address"] = {"@type": "PostalAddress", **{k: v for k, v in parts.items() if v}}
    if venue["latitude"] is not None:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": venue["latitude"],
                       "longitude": venue["longitude"]}  # fmt: skip
    return node


def test_every_screening_of_an_edition_page_is_described_as_the_catalogue_has_it(
    app: FeedApp, catalogue: Catalogue
) -> None:
    status, _, body = get(app, EDITION_PAGE)
    assert status == 200
    nodes = graph_of(body)
    described = events(nodes)
    assert len(catalogue.screenings) == 47 and catalogue.private
    assert set(described) == set(catalogue.screenings)
    for number, s in catalogue.screenings.items():
        assert described[number] == expected_event(s, catalogue), s["films"]
    # The edition itself: a Festival with its dates and place, and its public screenings.
    address = f"{BASE}{EDITION_PAGE}"
    festival = nodes[address]
    subevents = [node["@id"] for node in festival.pop("subEvent")]
    assert festival == {
        "@type": "Festival",
        "@id": address,
        "name": EDITION,
        "url": address,
        "startDate": catalogue.edition["starts_on"],
        "endDate": catalogue.edition["ends_on"],
        "location": {
            "@type": "Place",
            "name": catalogue.festival["city"],
            "address": {
                "@type": "PostalAddress",
                "addressLocality": catalogue.festival["city"],
                "addressCountry": catalogue.festival["country"],
            },
        },
    }
    assert (festival["startDate"], festival["endDate"]) == ("2025-10-22", "2025-10-27")
    assert len(subevents) == len(set(subevents)) == 47
    assert set(subevents) == {f"{BASE}/screenings/{n}" for n in catalogue.screenings}
    # Private screenings are nowhere in it, not even as a reference.
    page = body.decode()
    for number in catalogue.private:
        assert f'/screenings/{number}"' not in page and f'"screening-{number}"' not in page


def test_what_a_reader_of_the_data_finds_for_each_case(app: FeedApp, catalogue: Catalogue) -> None:
    """The cases, as a search engine gets them, in plain values."""
    described = events(graph_of(get(app, EDITION_PAGE)[2]))
    by_note = {s["notes"]: described[n] for n, s in catalogue.screenings.items() if s["notes"]}
    by_film = {}
    for number, s in catalogue.screenings.items():
        by_film.setdefault((s["programme"] or s["film"])["title"], []).append(described[number])
    # Time not announced: the date alone, no end.
    (tba,) = [e for e in by_film["Border Songs"] if "T" not in e["startDate"]]
    assert tba["startDate"] == "2025-10-27" and "endDate" not in tba
    # No venue: a Place named after its town.
    community = by_note["Community screening"]
    assert community["location"]["@type"] == "Place"
    assert community["location"]["name"] == "Rotherham"
    assert community["startDate"] == "2025-10-24T19:00:00+01:00"
    # 00:30 BST and a slot of two hours: the clocks have gone back, the end is on GMT.
    midnight = by_note["Midnight screening"]
    assert (midnight["startDate"], midnight["endDate"]) == (
        "2025-10-26T00:30:00+01:00",
        "2025-10-26T01:30:00+00:00",
    )
    assert midnight["workPresented"]["duration"] == "PT2H"
    assert midnight["workPresented"]["director"] == [{"@type": "Person", "name": "Ciarán Ó Duinn"}]
    assert midnight["location"]["address"]["streetAddress"] == "55 Norfolk Street"
    assert midnight["location"]["geo"]["latitude"] == 53.3806
    # A film with no runtime: no duration, and no end (90 minutes is a default, not a fact);
    # a film's own screening ends when its runtime says, so no endDate either.
    birds = {e["startDate"]: e for e in by_film["Paper Birds"]}["2025-10-27T17:00:00+00:00"]
    assert "duration" not in birds["workPresented"] and "sameAs" not in birds["workPresented"]
    assert "endDate" not in birds
    assert all("endDate" not in e for e in by_film["The Salt Road"])
    assert "eventStatus" not in birds  # tentative: still on, as a scheduled one is
    statuses = {e.get("eventStatus") for e in by_film["Atlas of Rain"] + by_film["Winter Choir"]}
    assert {SCHEMA + "EventCancelled", SCHEMA + "EventPostponed"} <= statuses
    # The shorts programme: its own title, its three films in order, their languages.
    for shorts in by_film["Shorts Competition 1"]:
        assert [m["name"] for m in shorts["workPresented"]] == [f[0] for f in SHORTS]
        assert [m["duration"] for m in shorts["workPresented"]] == ["PT14M", "PT12M", "PT19M"]
        assert shorts["inLanguage"] == ["Estonian", "Finnish", "Welsh"]
        assert shorts["endDate"][11:16] in {"16:45", "11:45"}  # 45 minutes in all
    salt = by_film["The Salt Road"][0]["workPresented"]
    assert salt["duration"] == "PT1H45M"
    assert salt["sameAs"] == "https://www.imdb.com/title/tt9100002/"
    assert [d["name"] for d in salt["director"]] == ["Anjali Rao", "Pierre Vasseur"]
    assert [c["name"] for c in salt["countryOfOrigin"]] == ["India", "France"]
    # A ticket address with an & in it reads back whole.
    offers = [e["offers"]["url"] for e in described.values() if "offers" in e]
    assert "https://tickets.example.org/nl25/1?src=page&lang=en" in offers


def test_film_venue_and_programme_pages_describe_their_own_screenings(
    app: FeedApp, catalogue: Catalogue
) -> None:
    """Each page's screenings, as on the edition page; and each item of the page has the
    anchor the screening's address leads to."""
    films = {f["title"]: f for f in catalogue.films.values()}
    venues = {v["name"]: v for v in catalogue.venues.values()}
    (programme,) = catalogue.programmes
    shows = {
        f"/films/{films['Night Bus']['slug']}": lambda s: "Night Bus" in film_titles(s),
        f"/films/{films['Quiet Fields']['slug']}": lambda s: "Quiet Fields" in film_titles(s),
        f"/venues/{venues['Crucible Theatre']['slug']}": lambda s: venue_is(s, "Crucible Theatre"),
        f"/venues/{venues['Millennium Gallery']['slug']}": lambda s: venue_is(
            s, "Millennium Gallery"
        ),
        f"/programmes/{programme['slug']}": lambda s: s["programme"] is not None,
    }
    for path, shown in shows.items():
        status, _, body = get(app, path)
        assert status == 200, path
        nodes = graph_of(body)
        described = events(nodes)
        # The edition the screenings belong to, by its name and page.
        edition = f"{BASE}{EDITION_PAGE}"
        assert nodes[edition] == {"@type": "Festival", "@id": edition, "name": EDITION,
                                  "url": edition}  # fmt: skip
        expected = {n: s for n, s in catalogue.screenings.items() if shown(s)}
        assert expected and set(described) == set(expected), path
        for number, s in expected.items():
            assert described[number] == expected_event(s, catalogue), (path, number)
            assert body.decode().count(f'<li id="screening-{number}" ') == 1, (path, number)


def film_titles(s: dict[str, Any]) -> list[str]:
    return [f["title"] for f in s["films"]]


def venue_is(s: dict[str, Any], name: str) -> bool:
    return s["venue"] is not None and s["venue"]["name"] == name


# How many times its size an edition page is with its JSON-LD, against the same page
# without it: as the server sends it to a browser or a crawler that asks for gzip (they
# all do), the bound; and in raw bytes, where the text is what it is.
GROWTH = 1.5
RAW_GROWTH = 1.8


def test_the_json_ld_grows_an_edition_page_at_most_1_5_times_as_it_is_sent(app: FeedApp) -> None:
    """On this edition of 47 screenings: 1.497 times as sent (gzip, as the server makes
    it), 1.78 in raw bytes. Before the edition's screenings were nested in its
    ``Festival`` and a single film's end left to its runtime: 1.59 and 1.88.

    What is left is each ScreeningEvent: four absolute addresses (its ``@id``, its film,
    venue and edition), its start, its languages. Less would take addresses relative to
    the page, or no ``superEvent`` on each screening, which the issue asks for."""
    body = get(app, EDITION_PAGE)[2]
    status, headers, zipped = get(app, EDITION_PAGE, Accept_Encoding="gzip")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped) == body
    (block,) = re.findall(rb'\n<script type="application/ld\+json">.*?</script>', body, re.DOTALL)
    without = body.replace(block, b"")
    assert len(without) > 47 * 600  # 47 screenings, their notes and links
    sent = len(zipped) / len(gzip.compress(without, compresslevel=6, mtime=0))
    assert sent <= GROWTH, (len(zipped), sent)
    assert len(body) / len(without) <= RAW_GROWTH, (len(body), len(without))


def test_the_addresses_follow_where_the_site_is_served(url: str, catalogue: Catalogue) -> None:
    """Under a path (``--base-url https://host/festival``), every address in the data is
    under it too, a screening's included; without ``--base-url``, on the address the
    client used, as "Subscribe" is."""
    first = min(catalogue.screenings)
    mounted = FeedApp(Settings(url), base_url="https://films.example.org/festival")
    bare = FeedApp(Settings(url))
    for app, request, under in [
        (mounted, {}, "https://films.example.org/festival/"),
        (bare, {"Host": "films.example.net:8443"}, "https://films.example.net:8443/"),
    ]:
        page = get(app, EDITION_PAGE, **request)[2].decode()
        (document,) = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
        addresses = re.findall(r'"(https://films\.example\.[^"]*)"', json.dumps(document))
        assert len(addresses) > 100 and all(a.startswith(under) for a in addresses)
        assert f"{under}screenings/{first}" in addresses
