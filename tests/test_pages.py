"""The schedule pages (``/``, ``/editions/...``, ...): the WSGI application itself, in this
process, on real SQLite and PostgreSQL databases; every link followed, every feed a page
links to checked by ical-check, hostile text escaped, private screenings nowhere."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from screenings.config import Settings
from screenings.web import FeedApp
from tests.icalcheck import ical_check
from tests.test_import import HEADER, ROWS, write_csv
from tests.test_web import cli, private_screening

BASE = "https://films.example.org"
OWN_SCRIPT = (Path(__file__).parents[1] / "src" / "screenings" / "templates" / "copy.js").read_text(
    encoding="utf-8"
)
Response = tuple[int, dict[str, str], bytes]
EDITION = "/editions/sheffield-doc-fest-2013"
DEFECTOR = "/films/the-defector-escape-from-north-korea-2012"
# The structured data of a page (exporters/jsonld.py), and the pages that carry it.
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
SCREENING_PAGES = {"editions", "films", "venues", "programmes"}


class Page(HTMLParser):
    """What a reader (or a screen reader) gets of a page: its language, headings,
    links with their text, and text by element class."""

    def __init__(self, body: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.viewport = False
        self.headings: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.rows: list[str] = []  # the text of each screening (li of a schedule)
        self.flags: list[str] = []
        self.times: list[str] = []  # datetime attributes of <time>
        self._heading: str | None = None
        self._link: str | None = None
        self._row = 0  # nesting depth inside a schedule's li
        self._flag = False
        self._text: list[str] = []
        self._schedule = False
        self._all: list[str] = []
        self.feed(body.decode("utf-8"))
        self.text = " ".join("".join(self._all).split())  # what a reader sees, in order

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        got = dict(attrs)
        if tag == "html":
            self.lang = got.get("lang")
        if tag == "meta" and got.get("name") == "viewport":
            self.viewport = True
        if tag in {"h1", "h2", "h3"}:
            self._heading, self._text = tag, []
        if tag == "a":
            self._link, self._text = got.get("href") or "", []
        if tag == "time" and got.get("datetime"):
            self.times.append(str(got["datetime"]))
        if tag == "ol" and "schedule" in (got.get("class") or ""):
            self._schedule = True
        if tag == "li" and self._schedule:
            self._row += 1
            if self._row == 1:
                self.rows.append("")
        if tag == "span" and got.get("class") == "flag":
            self._flag = True
            self.flags.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading = None
        if tag == "a" and self._link is not None:
            self.links.append((self._link, " ".join("".join(self._text).split())))
            self._link = None
        if tag == "li" and self._row:
            self._row -= 1
            if not self._row:
                self.rows[-1] = " ".join(self.rows[-1].split())
        if tag == "ol":
            self._schedule = False
        if tag == "span":
            self._flag = False

    def handle_data(self, data: str) -> None:
        self._all.append(data)
        self._text.append(data)
        if self._row:
            self.rows[-1] += " " + data
        if self._flag:
            self.flags[-1] += data


def get(
    app: FeedApp,
    path: str,
    method: str = "GET",
    server: tuple[str, str] = ("films.example.org", "443"),
    mounted: str = "",
    **headers: str,
) -> Response:
    """One request through the WSGI interface, as a server would make it (``mounted``:
    the application's SCRIPT_NAME)."""
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": mounted,
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": server[0],
        "SERVER_PORT": server[1],
        "wsgi.url_scheme": "https",
        "wsgi.errors": sys.stderr,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, got: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = int(status[:3]), {k.lower(): v for k, v in got}

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.fixture
def url(seed_url: str) -> str:
    return seed_url


@pytest.fixture
def app(url: str, tmp_path: Path) -> FeedApp:
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS))) == 0
    return FeedApp(Settings(url, default_timezone="Europe/London"), base_url=BASE)


def crawl(app: FeedApp) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every page reachable from ``/`` and every feed a page links to, by path."""
    pages: dict[str, bytes] = {}
    feeds: dict[str, bytes] = {}
    waiting = ["/"]
    while waiting:
        path = waiting.pop()
        if path in pages:
            continue
        status, headers, body = get(app, path)
        assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8"), path
        pages[path] = body
        links = Page(body).links
        for href, text in links:
            assert text, f"{path}: a link with no text ({href})"
            parts = urlsplit(href)
            if href.startswith("webcal://"):
                # Subscribe: the feed's absolute address; Download .ics: its path.
                assert href.startswith("webcal://films.example.org/feeds/"), href
                assert parts.path in {link for link, _ in links}, href
                continue
            if parts.scheme or parts.netloc:
                continue  # a film's own website, tickets: not ours
            if href == "#content":
                continue  # "Skip to content"
            assert href.startswith("/"), href
            if parts.path.startswith("/feeds/"):
                if parts.path not in feeds:
                    status, headers, feed = get(app, parts.path)
                    assert (status, headers["content-type"][:13]) == (200, "text/calendar"), href
                    feeds[parts.path] = feed
            else:
                waiting.append(parts.path)
    return pages, feeds


def test_every_page_and_every_link_from_the_home_page_answers(
    app: FeedApp, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages, feeds = crawl(app)
    assert {
        "/",
        "/festivals/sheffield-doc-fest",
        "/festivals/hot-docs",
        EDITION,
        "/editions/idfa-2012",
        DEFECTOR,
        "/venues/showroom-cinema",
        "/people/ann-shin",
        "/people/joshua-oppenheimer",
    } <= set(pages)
    for path, body in pages.items():
        page = Page(body)
        assert page.lang == "en" and page.viewport, path
        assert [level for level, _ in page.headings].count("h1") == 1, path
        # Each Subscribe and Download link says, to a screen reader, what it is for.
        named = [text for _, text in page.links if text.startswith(("Subscribe", "Download"))]
        assert named and all(" to " in t or " of " in t for t in named), path
    # Every feed a page offers is a valid calendar.
    files = []
    for number, (_, body) in enumerate(sorted(feeds.items())):
        files.append(tmp_path / f"{number}.ics")
        files[-1].write_bytes(body)
    code, report = ical_check(*files)
    assert code == 0, report
    assert "/feeds/editions/sheffield-doc-fest-2013.ics" in feeds
    # The screening for Members of Parliament is private: on no page.
    private = private_screening(url, capsys)
    for path, body in pages.items():
        for secret in (private["uid"], private["notes"][:40], private["audience"]):
            assert secret.encode() not in body, path


def test_an_edition_page_lists_its_screenings_by_day_in_local_time(app: FeedApp) -> None:
    _, headers, body = get(app, EDITION)
    page = Page(body)
    assert page.headings[:4] == [
        ("h1", "Sheffield Doc/Fest 2013"),
        ("h2", "Thursday 13 June 2013"),
        ("h2", "Friday 14 June 2013"),
        ("h2", "Saturday 15 June 2013"),
    ]
    assert page.rows == [
        "Time TBA Mothers (2012) Showroom Cinema, Sheffield · Competition · directed by Xu Huijing",
        "12:30 BST The Act of Killing (2012) Crucible Theatre, Sheffield · Competition"
        " · directed by Joshua Oppenheimer",
        "18:00 BST The Defector (2012) Showroom Cinema, Sheffield · Innovation"
        " · directed by Ann Shin Q&A",
        "13:00 BST The Defector (2012) Showroom Cinema, Sheffield · Innovation"
        " · directed by Ann Shin",
    ]
    assert "2013-06-14T18:00:00+01:00" in page.times
    # The seed's selection with no screening dates is listed apart.
    assert ("h2", "In the selection, screening dates not known") in page.headings
    assert (DEFECTOR, "The Defector: Escape from North Korea (2012)") in page.links
    subscribe = "webcal://films.example.org/feeds/editions/sheffield-doc-fest-2013.ics"
    assert (subscribe, "Subscribe to Sheffield Doc/Fest 2013") in page.links
    assert headers["cache-control"] == "public, max-age=300"


def test_cancelled_and_postponed_screenings_are_marked_not_hidden(
    app: FeedApp, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert cli(url, "list", "--format", "json", "--edition", "Sheffield Doc/Fest 2013") == 0
    by_film = {
        (s["film"]["title"], s["local_date"]): s["id"]
        for s in json.loads(capsys.readouterr().out)["screenings"]
    }
    assert cli(url, "cancel", "screening", f"#{by_film['The Act of Killing', '2013-06-14']}") == 0
    assert cli(url, "postpone", "screening", f"#{by_film['The Defector', '2013-06-15']}") == 0
    for path in (EDITION, "/venues/crucible-theatre", "/people/joshua-oppenheimer"):
        page = Page(get(app, path)[2])
        assert any("The Act of Killing" in row and "Cancelled" in row for row in page.rows), path
    page = Page(get(app, EDITION)[2])
    assert page.flags == ["Cancelled", "Postponed"]
    assert len(page.rows) == 4


def test_a_film_page_shows_its_festival_run_and_awards(app: FeedApp) -> None:
    page = Page(get(app, DEFECTOR)[2])
    assert [text for level, text in page.headings if level == "h3"] == [
        "IDFA 2012",
        "Hot Docs 2013",
        "Independent Film Festival Boston 2013",
        "Sheffield Doc/Fest 2013",
    ]
    assert page.rows == [
        "Sat 27 Apr 2013 Time TBA Toronto Date confirmed: its first Hot Docs screening"
        " (Toronto, 25 April – 5 May 2013). Time and venue not known. Premiere label"
        " disputed: one paper called it a world premiere."
    ]
    text = page.text
    assert "Won: Canadian Screen Awards 2014, Best Documentary Program" in text
    assert "Nominated: Innovation Award 2013" in text
    assert "Writer: Ann Shin, Manfred Becker Supervising editor: Manfred Becker" in text


def test_a_person_page_lists_their_films_once_with_every_role(app: FeedApp) -> None:
    page = Page(get(app, "/people/ann-shin")[2])
    assert "The Defector: Escape from North Korea (2012) · director, producer, writer" in page.text
    assert ("h3", "Friday 14 June 2013") in page.headings


HOSTILE = {
    "title": '<script>alert("title")</script>',
    "script": "</script><script>alert(1)</script><!--",  # to leave the JSON-LD block
    "quotes": "Ein \"Film\" & 'Zitat' </li></ol>",
    "arabic": "فيلم عن الحرية",
    "hebrew": "סרט על חופש",
    "template": "{{ 7*7 }}{% raw %}",
    "long": "Supercalifragilistic" * 9,  # one word of 180 letters, as wide as a section keeps
}


def test_hostile_text_is_shown_as_text_on_every_page(
    backend: str, new_url: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    url = new_url(backend)
    rows = [
        [f"H{n}", value, "2020", value, "90", f"Fest {value[:40]} 2020", value, f"Hall {value}",
         "Sheffield", "2020-06-0" + str(n + 1), f"1{n}:00", value]
        for n, value in enumerate(HOSTILE.values())
    ]  # fmt: skip
    assert cli(url, "import", str(write_csv(tmp_path / "hostile.csv", rows, HEADER))) == 0
    app = FeedApp(Settings(url, default_timezone="Europe/London"), base_url=BASE)
    pages, _ = crawl(app)
    assert len(pages) > 6 * 4  # festivals, editions, films, venues, people
    names: set[str] = set()
    for path, body in pages.items():
        text = body.decode()
        # The page's one script is its own Copy button's; none came from the data.
        assert text.count("<script>") == 1 and "</li></ol>" not in text, path
        assert f"<script>{OWN_SCRIPT}</script>" in text, path
        assert "49" not in Page(body).text, path  # the template text is not run
        # A page of screenings has one block of JSON-LD, which no title closes or turns
        # into a comment: every <, > and & in it escaped; it reads back as JSON.
        blocks = JSONLD.findall(text)
        assert len(blocks) == (path.split("/")[1] in SCREENING_PAGES), path
        assert text.count("<script") == text.count("</script") == 1 + len(blocks), path
        for block in blocks:
            assert not {"<", ">", "&"} & set(block), path
            names |= set(_names(json.loads(block)))
    # Each hostile title reads back from the JSON-LD as it was.
    assert set(HOSTILE.values()) <= names
    home = pages["/"].decode()
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in home
    assert "{{ 7*7 }}{% raw %}" in home
    # Right-to-left names are isolated, so that the text after them keeps its order.
    assert f"<bdi>{HOSTILE['arabic']}</bdi> (2020)" in home  # the year outside
    assert f"<bdi>{HOSTILE['hebrew']}</bdi>" in home
    assert HOSTILE["long"] in home


def _names(node: Any) -> Iterator[str]:
    """Every ``name`` in a JSON-LD document, however deep."""
    if isinstance(node, dict):
        if isinstance(node.get("name"), str):
            yield node["name"]
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _names(value)


def test_pages_carry_validators_and_a_strict_policy(app: FeedApp, url: str) -> None:
    status, headers, body = get(app, EDITION)
    etag = headers["etag"]
    policy = headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    # One script may run: the page's own, by its hash; nothing else, inline or loaded.
    # The JSON-LD is a data block, which a browser never runs: the policy need not name it.
    digest = base64.b64encode(hashlib.sha256(OWN_SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in policy
    assert body.decode().count("<script") == 2 and len(JSONLD.findall(body.decode())) == 1
    assert headers["x-content-type-options"] == "nosniff"
    assert get(app, EDITION, If_None_Match=etag)[:1] == (304,)
    # Tracking parameters on a shared link change nothing.
    assert get(app, f"{EDITION}?utm_source=chat")[1]["etag"] == etag
    status, zipped_headers, _ = get(app, EDITION, Accept_Encoding="gzip")
    assert zipped_headers["content-encoding"] == "gzip"
    assert get(app, EDITION, "HEAD")[2] == b""
    # A change in the catalogue reaches the page (a new ETag); then a 304 again.
    assert cli(url, "edit", "venue", "Showroom Cinema", "--name", "The Showroom") == 0
    status, changed, body = get(app, EDITION, If_None_Match=etag)
    assert status == 200 and changed["etag"] != etag and b"The Showroom" in body


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/editions/cannes-2013", 404, "no edition with the address 'cannes-2013'"),
        ("/cinemas/x", 404, "no such page: /cinemas/x"),
        ("/films/The-Defector", 404, "no such page: /films/The-Defector"),
        ("/films/closed-session-2013", 404, "no film with the address 'closed-session-2013'"),
    ],
)
def test_a_missing_page_is_a_404_with_a_line(
    app: FeedApp, url: str, path: str, status: int, message: str
) -> None:
    # A film known only from a private screening has no page, as if it did not exist.
    assert cli(url, "add", "film", "Closed Session", "--year", "2013") == 0
    assert cli(url, "add", "screening", "Closed Session", "--on", "2013-06-20",
               "--city", "London", "--timezone", "Europe/London", "--private") == 0  # fmt: skip
    got, headers, body = get(app, path)
    assert (got, body.decode()) == (status, message + "\n")
    assert headers["cache-control"] == "no-store"
    assert b"Closed Session" not in get(app, "/")[2]


def test_a_trailing_slash_is_sent_to_the_page(app: FeedApp) -> None:
    status, headers, _ = get(app, f"{EDITION}/")
    assert (status, headers["location"]) == (301, EDITION)


def test_feeds_and_pages_agree_on_what_a_page_shows(app: FeedApp) -> None:
    """The edition's feed has exactly the page's screenings (one query object)."""
    page = Page(get(app, EDITION)[2])
    feed = Calendar.from_ical(get(app, "/feeds/editions/sheffield-doc-fest-2013.ics")[2])
    assert len(list(feed.walk("VEVENT"))) == len(page.rows) == 4


def test_a_film_shown_only_in_private_at_a_festival_is_private(
    app: FeedApp, url: str, tmp_path: Path
) -> None:
    """A private lineup row with a festival puts its film in no programme: the film, its
    people, and an edition and festival it alone makes stay out of every page and feed."""
    rows = [
        ["P1", "Sealed Film", "2013", "Sealed Director", "80",
         "Sealed Fest 2013", "", "Showroom Cinema", "Sheffield", "2013-10-28", "09:00",
         "sealed session"],
    ]  # fmt: skip
    header = [*HEADER, "Private"]
    lineup = write_csv(tmp_path / "sealed.csv", [[*row, "yes"] for row in rows], header)
    assert cli(url, "import", str(lineup)) == 0
    for path in ("/films/sealed-film-2013", "/people/sealed-director",
                 "/festivals/sealed-fest", "/editions/sealed-fest-2013"):  # fmt: skip
        assert get(app, path)[0] == 404, path
    pages, _ = crawl(app)
    index = get(app, "/feeds")[2]
    for body in [*pages.values(), index]:
        assert b"Sealed" not in body and b"sealed" not in body


def test_a_withdrawn_film_is_marked_in_the_programme(app: FeedApp, url: str) -> None:
    assert cli(url, "add", "film", "Pulled Film", "--year", "2013") == 0
    assert cli(url, "add", "selection", "Pulled Film", "--edition", "Sheffield Doc/Fest 2013",
               "--status", "withdrawn") == 0  # fmt: skip
    page = Page(get(app, EDITION)[2])
    assert "Withdrawn Pulled Film (2013)" in page.text
    assert "Withdrawn" in Page(get(app, "/films/pulled-film-2013")[2]).text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/films/the-defector-2012%0A/", 404),
        ("/films/the-defector-2012%0A", 404),
        ("/feeds/films/the-defector-2012.ics%0A", 404),
        ("/feeds/secret/abc.ics%0A", 404),
    ],
)
def test_a_line_feed_in_a_path_is_no_page(app: FeedApp, path: str, status: int) -> None:
    from urllib.parse import unquote

    got, headers, _ = get(app, unquote(path))
    assert got == status and "location" not in headers


def test_links_do_not_follow_the_host_header(url: str, tmp_path: Path) -> None:
    """Without --base-url, only "Subscribe" (which must be absolute) names the host the
    client used; a Host that is no host name is refused; a mounted app's links keep
    their prefix."""
    app = FeedApp(Settings(url, default_timezone="Europe/London"))
    status, _, body = get(app, "/", HOST="evil.example:8080")
    assert status == 200
    hosts = {urlsplit(href).netloc for href, _ in Page(body).links if "://" in href}
    assert hosts <= {"evil.example:8080", "thedefectormovie.com"}
    assert all(href.startswith(("/", "#", "webcal://", "https://thedefectormovie"))
               for href, _ in Page(body).links)  # fmt: skip
    for host in ("evil.example/<script>", "a" * 300, "bad host", 'x"y'):
        got, _, answer = get(app, "/", HOST=host)
        assert (got, answer) == (400, b"Host: not a host name (and port); or start the "
                                      b"server with --base-url\n"), host  # fmt: skip


def test_a_mounted_application_links_under_its_prefix(app: FeedApp) -> None:
    mounted = FeedApp(app.settings, base_url="https://films.example.org/screenings/")
    links = [href for href, _ in Page(get(mounted, EDITION)[2]).links]
    assert "/screenings/" in links and "/screenings/films/the-defector-2012" in links
    assert (
        "webcal://films.example.org/screenings/feeds/editions/sheffield-doc-fest-2013.ics" in links
    )
    assert get(mounted, f"{EDITION}/")[1]["location"] == f"/screenings{EDITION}"


def test_a_private_press_screening_leaves_an_announced_film_public(app: FeedApp, url: str) -> None:
    assert cli(url, "add", "film", "Pressfilm", "--year", "2013", "--director", "Press Dir") == 0
    assert cli(url, "add", "selection", "Pressfilm", "--edition", "Sheffield Doc/Fest 2013",
               "--status", "competition") == 0  # fmt: skip
    assert cli(url, "add", "screening", "Pressfilm", "--edition", "Sheffield Doc/Fest 2013",
               "--on", "2013-06-12", "--at", "10:00", "--venue", "Showroom Cinema",
               "--kind", "press", "--private") == 0  # fmt: skip
    for path in ("/films/pressfilm-2013", "/people/press-dir"):
        assert get(app, path)[0] == 200, path
    page = Page(get(app, EDITION)[2])
    assert "Pressfilm (2013)" in page.text and "10:00" not in page.text


def test_a_clock_renamed_without_a_new_offset_is_named_right(app: FeedApp, url: str) -> None:
    """Amman kept UTC+3 from 28 October 2022 and calls it "+03", no longer EEST."""
    assert cli(url, "add", "film", "Amman Nights", "--year", "2022") == 0
    for day in ("2022-10-20", "2022-11-05"):
        assert cli(url, "add", "screening", "Amman Nights", "--on", day, "--at", "18:00",
                   "--city", "Amman", "--timezone", "Asia/Amman") == 0  # fmt: skip
    rows = Page(get(app, "/films/amman-nights-2022")[2]).rows
    assert [row.split(" ")[4:6] for row in rows] == [["18:00", "EEST"], ["18:00", "+03"]]


def test_a_mounted_application_subscribes_under_its_prefix(app: FeedApp, url: str) -> None:
    bare = FeedApp(app.settings)
    links = [href for href, _ in Page(get(bare, EDITION, mounted="/screenings")[2]).links]
    assert (
        "webcal://films.example.org:443/screenings/feeds/editions/sheffield-doc-fest-2013.ics"
        in links
    )
    assert "/screenings/feeds/editions/sheffield-doc-fest-2013.ics" in links
    # No Host header (HTTP/1.0), a server on an IPv6 address: still a page.
    status, _, body = get(bare, EDITION, server=("::1", "8000"))
    assert status == 200 and b"webcal://[::1]:8000/feeds/editions/" in body
