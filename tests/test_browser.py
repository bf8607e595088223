"""The schedule in a real browser: headless Chromium (Debian's ``chromium``), driven by
Playwright, on a real ``screenings serve`` process, at a desktop and a phone's width,
with JavaScript off. Screenshots are kept in the test's own temporary folder (pytest's
``tmp_path``, kept for the last three runs); with ``SCREENINGS_UPDATE_GOLDEN=1``
(``tests.golden``) the README's picture (``docs/edition-page.png``) is made anew from
the phone's view of the edition page."""

from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.golden import updating
from tests.icalcheck import ical_check
from tests.test_import import ROWS, write_csv
from tests.test_web import Server, cli, free_port, start, stop

ROOT = Path(__file__).resolve().parents[1]
README_PICTURE = ROOT / "docs" / "edition-page.png"
CHROMIUM = Path(os.environ.get("SCREENINGS_TEST_CHROMIUM", "/usr/bin/chromium"))
# As root in a container Chromium needs --no-sandbox; the others keep it off the network
# (this machine's is closed) and quick to start.
ARGS = [
    *("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
VIEWPORTS = {"desktop": (1280, 800), "phone": (360, 740)}
LONG_TITLE = "Supercalifragilisticexpialidocious" * 8  # one word, wider than a phone
EXTRA = [
    ["S5", LONG_TITLE, "2013", "Ann Shin", "80", "Sheffield Doc/Fest 2014", "Innovation",
     "Showroom Cinema", "Sheffield", "2014-06-15", "20:30", ""],
]  # fmt: skip


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, or skip with the reason (fail under CI=true)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser test needs playwright (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        _unavailable(f"the browser test needs Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(seed_url: str, tmp_path: Path) -> Iterator[Server]:
    url = seed_url
    assert cli(url, "import", str(write_csv(tmp_path / "sheffield.csv", ROWS + EXTRA))) == 0
    from screenings.db import create_db_engine
    from screenings.tables import screening

    engine = create_db_engine(url)
    with engine.connect() as connection:
        killing = connection.execute(
            screening.select().where(screening.c.external_id == "S3")
        ).one()
    engine.dispose()
    assert cli(url, "cancel", "screening", f"#{killing.id}") == 0
    port = free_port()
    running = start(url, "--base-url", f"http://127.0.0.1:{port}", port=port)
    yield running
    stop(running)


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_a_reader_finds_an_edition_and_subscribes_to_it(
    chromium: Any, server: Server, view: str, backend: str, tmp_path: Path
) -> None:
    width, height = VIEWPORTS[view]
    base = f"http://127.0.0.1:{server.port}"
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        java_script_enabled=False,
        accept_downloads=True,
    )
    page = context.new_page()
    shots = tmp_path / f"{backend}-{view}"

    def fits() -> bool:  # nothing wider than the screen: no sideways scrolling
        # A click's navigation may have committed (page.url moved) before the new
        # document exists: measure the page once it has loaded.
        page.wait_for_load_state("load")
        return bool(page.evaluate("document.documentElement.scrollWidth") <= width)

    try:
        page.goto(f"{base}/")
        assert page.title() == "Festival screenings" and fits()
        page.screenshot(path=f"{shots}-home.png", full_page=True)
        page.get_by_role("link", name="Sheffield Doc/Fest", exact=True).click()
        assert page.url == f"{base}/festivals/sheffield-doc-fest"
        assert page.get_by_role("heading", level=1).inner_text() == "Sheffield Doc/Fest"
        page.get_by_role("link", name="Sheffield Doc/Fest 2013", exact=True).click()
        assert page.url == f"{base}/editions/sheffield-doc-fest-2013" and fits()
        page.screenshot(path=f"{shots}-edition.png", full_page=True)

        # The screenings by day, at their local times (Sheffield: BST, UTC+1).
        days = page.locator("main h2").all_inner_texts()
        assert days[:3] == ["Thursday 13 June 2013", "Friday 14 June 2013", "Saturday 15 June 2013"]
        rows = [" ".join(t.split()) for t in page.locator("ol.schedule > li").all_inner_texts()]
        assert [row.split(" ", 2)[:2] for row in rows] == [
            ["Time", "TBA"], ["12:30", "BST"], ["18:00", "BST"], ["13:00", "BST"],
        ]  # fmt: skip
        assert rows[1].startswith("12:30 BST Cancelled The Act of Killing (2012)")
        starts = page.locator("ol.schedule time[datetime*='T']").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('datetime'))"
        )
        assert starts[0] == "2013-06-14T12:30:00+01:00"

        # Subscribe: a webcal:// address of the edition's feed, a valid calendar.
        subscribe = page.get_by_role("link", name="Subscribe to Sheffield Doc/Fest 2013")
        address = subscribe.get_attribute("href")
        assert address == (
            f"webcal://127.0.0.1:{server.port}/feeds/editions/sheffield-doc-fest-2013.ics"
        )
        with urllib.request.urlopen(address.replace("webcal://", "http://", 1)) as answer:
            feed = answer.read()
        (tmp_path / "edition.ics").write_bytes(feed)
        code, report = ical_check(tmp_path / "edition.ics")
        assert code == 0, report
        assert feed.count(b"BEGIN:VEVENT") == 4
        # Download .ics: what the browser saves is that same calendar.
        with page.expect_download() as download:
            page.get_by_role("link", name="Download .ics of Sheffield Doc/Fest 2013").click()
        assert Path(download.value.path()).read_bytes() == feed

        # A title longer than the screen wraps, on the home page and on the film's.
        page.get_by_role("link", name="All festivals, venues, films and people").click()
        assert fits()
        page.get_by_role("link", name=f"{LONG_TITLE} (2013)", exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == f"{LONG_TITLE} (2013)"
        assert fits()
        page.screenshot(path=f"{shots}-film.png", full_page=True)
    finally:
        context.close()
    if view == "phone" and backend == "sqlite" and updating():
        README_PICTURE.parent.mkdir(exist_ok=True)
        shutil.copyfile(f"{shots}-edition.png", README_PICTURE)


def test_the_copy_button_copies_the_https_address_and_stays_hidden_without_javascript(
    chromium: Any, server: Server, backend: str
) -> None:
    """Google Calendar and Outlook take a feed's address, not a webcal:// link (#22 item
    16): beside "Subscribe", the address itself, and a Copy button that the page's one
    script (allowed by its hash) shows and runs. The page's JSON-LD, a data block beside
    it, breaks no rule of the policy."""
    base = f"http://127.0.0.1:{server.port}"
    address = f"{base}/feeds/editions/sheffield-doc-fest-2013.ics"
    problems: list[str] = []
    for javascript in (True, False):
        context = chromium.new_context(java_script_enabled=javascript)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            page.goto(f"{base}/editions/sheffield-doc-fest-2013")
            # The page's JSON-LD is a data block: never run, so the policy need not allow
            # it (a refusal would be a console message), and the browser reads it whole:
            # the edition's Festival, holding its screenings.
            data = page.evaluate(
                "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
                ".textContent)['@graph'].find(n => n['@type'] === 'Festival')"
                ".subEvent.map(n => n.startDate)"
            )
            assert sorted(data)[1:3] == ["2013-06-14T12:30:00+01:00", "2013-06-14T18:00:00+01:00"]
            field = page.get_by_label("Calendar address, for Google Calendar or Outlook")
            assert field.input_value() == address
            button = page.locator("button.copy")
            if not javascript:
                assert not button.is_visible()  # the address is there to select
                continue
            assert button.inner_text() == "Copy"
            button.click()
            # Waited for through the locator: a string predicate (wait_for_function) is
            # evaluated in the page, which the page's policy refuses (no unsafe-eval).
            from playwright.sync_api import expect

            expect(button).not_to_have_text("Copy")
            assert button.inner_text() == "Copied"
            assert page.evaluate("navigator.clipboard.readText()") == address
        finally:
            context.close()
    assert problems == []  # no script refused by the policy, no error
    with urllib.request.urlopen(f"{base}/favicon.ico") as answer:
        assert answer.headers["Content-Type"] == "image/x-icon"
        assert answer.read()[:4] == b"\x00\x00\x01\x00"  # an icon file
