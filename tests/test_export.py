"""``screenings export``: feeds that every calendar reads alike and that update in place.

Real databases (SQLite and PostgreSQL), real lineup files, the real icalendar parser
on what we write, and ../shared/tools/ical-check on every file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import update

from screenings import tables
from screenings.cli import run
from screenings.db import create_db_engine
from tests.golden import matches
from tests.icalcheck import ical_check, ical_compare
from tests.test_import import HEADER, ROWS, write_csv

Cli = Callable[..., tuple[int, str, str]]
DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = Path(__file__).parent / "golden"
STAMP = dt.datetime(2013, 5, 23, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def url(backend: str, new_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    monkeypatch.delenv("SCREENINGS_FEED_DOMAIN", raising=False)
    return new_url(backend)


@pytest.fixture
def cli(url: str, capsysbinary: pytest.CaptureFixture[bytes]) -> Cli:
    """Run the command line; stdout as bytes (a feed is bytes), stderr as text."""

    def call(*args: str) -> tuple[int, bytes, str]:
        code = run(["--db", url, *args])
        captured = capsysbinary.readouterr()
        return code, captured.out, captured.err.decode()

    return call


def events(data: bytes) -> dict[str, Any]:
    """The VEVENTs of a feed by UID, as icalendar reads them."""
    calendar = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def pin(url: str) -> None:
    """Give the stored screenings fixed uids and timestamps, as a frozen clock would."""
    engine = create_db_engine(url)
    s = tables.screening
    with engine.begin() as connection:
        for number, (row_id,) in enumerate(
            connection.execute(
                s.select().with_only_columns(s.c.id).order_by(s.c.local_date, s.c.id)
            )
        ):
            connection.execute(
                update(s)
                .where(s.c.id == row_id)
                .values(
                    uid=f"seed-{number + 1}@screenings.example",
                    created_at=STAMP,
                    updated_at=STAMP + dt.timedelta(hours=number),
                )
            )
    engine.dispose()


def import_seed(cli: Cli) -> None:
    for name in ("lineup.csv", "awards.csv"):
        code, _, err = cli("import", str(DATA / name))
        assert code == 0, err


def export(cli: Cli, path: Path, *args: str) -> bytes:
    code, _, err = cli("export", "ics", "-o", str(path), *args)
    assert code == 0, err
    return path.read_bytes()


# --- The seed story ----------------------------------------------------------------


def test_the_seed_story_exports_to_pinned_bytes(cli: Cli, url: str, tmp_path: Path) -> None:
    import_seed(cli)
    pin(url)
    code, out, err = cli("export", "ics", "--include-private")
    assert code == 0, err
    matches(GOLDEN / "seed.ics", out)
    path = tmp_path / "seed.ics"
    path.write_bytes(out)
    code, report = ical_check(path)
    assert code == 0, report
    found = events(out)
    hot_docs = found["seed-1@screenings.example"]
    assert hot_docs["DTSTART"].params["VALUE"] == "DATE"
    assert hot_docs.decoded("DTSTART") == dt.date(2013, 4, 27)
    assert hot_docs.decoded("DTEND") == dt.date(2013, 4, 28)
    mps = found["seed-2@screenings.example"]
    assert (
        str(mps["SUMMARY"]) == "The Defector: Escape from North Korea (special screening, private)"
    )
    assert "For: Members of Parliament" in str(mps["DESCRIPTION"])


def test_a_timed_lineup_exports_to_pinned_bytes(cli: Cli, url: str, tmp_path: Path) -> None:
    # Timed starts and ends in a zone, a TBA day, a section, a venue, in one golden file.
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS)))
    pin(url)
    code, out, err = cli("export", "ics", "--festival", "Sheffield Doc/Fest")
    assert code == 0, err
    golden = GOLDEN / "lineup.ics"
    matches(golden, out)
    # The same bytes from another process, with another hash seed.
    done = subprocess.run(
        [sys.executable, "-m", "screenings", "--db", url, "export", "ics",
         "--festival", "Sheffield Doc/Fest"],
        capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": "12345"},
    )  # fmt: skip
    assert done.stdout == out


def test_a_start_in_the_repeated_hour_reads_alike_everywhere(cli: Cli, tmp_path: Path) -> None:
    # London, 27 October 2024: 01:30 happens twice; the import stores the first.
    rows = [["T1", "Night Owls", "2024", "", "90", "Sheffield Doc/Fest 2024", "", "Showroom",
             "Sheffield", "2024-10-27", "01:30", ""]]  # fmt: skip
    code, _, err = cli("import", str(write_csv(tmp_path / "night.csv", rows)))
    assert code == 0, err
    (stored,) = _listed(cli)
    assert stored["starts_at_utc"].startswith("2024-10-27T00:30")
    path = tmp_path / "night.ics"
    (event,) = events(export(cli, path)).values()
    assert event.decoded("DTSTART") == dt.datetime(2024, 10, 27, 0, 30, tzinfo=dt.UTC)
    code, report = ical_check(path)
    assert code == 0, report
    # An edit that leaves the time alone is not refused for it.
    code, _, err = cli("edit", "screening", f"#{stored['id']}", "--note", "bring a torch")
    assert code == 0, err


def test_a_web_address_with_a_line_break_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS[:1])))
    (stored,) = _listed(cli)
    code, _, err = cli(
        "edit", "screening", f"#{stored['id']}", "--ticket-url", "https://x.example/a\nb"
    )
    assert code == 2 and "is not a web address" in err


def test_private_screenings_stay_out_unless_asked(cli: Cli, tmp_path: Path) -> None:
    import_seed(cli)
    public = events(export(cli, tmp_path / "public.ics"))
    assert [str(e["SUMMARY"]) for e in public.values()] == ["The Defector: Escape from North Korea"]
    everything = events(export(cli, tmp_path / "all.ics", "--include-private"))
    assert len(everything) == 2


def test_split_by_festival_on_the_seed(cli: Cli, tmp_path: Path) -> None:
    import_seed(cli)
    out_dir = tmp_path / "feeds"
    code, _, err = cli("export", "ics", "--split-by", "festival", "--out-dir", str(out_dir))
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["hot-docs.ics", "index.html", "index.json"]
    index = json.loads((out_dir / "index.json").read_text())
    by_slug = {f["slug"]: f for f in index["feeds"]}
    assert by_slug["hot-docs"]["file"] == "hot-docs.ics" and by_slug["hot-docs"]["events"] == 1
    for empty in ("idfa", "sheffield-doc-fest", "independent-film-festival-boston"):
        assert by_slug[empty]["file"] is None
        assert by_slug[empty]["reason"] == "no dated screenings"
    # The private screening leaves no trace: no feed, no entry, no count.
    assert "special_screenings" not in by_slug and "private" not in json.dumps(index)
    hot_docs = Calendar.from_ical((out_dir / "hot-docs.ics").read_bytes())
    assert str(hot_docs["X-WR-CALNAME"]) == "Screenings: Hot Docs"
    (event,) = hot_docs.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.date(2013, 4, 27)

    code, _, err = cli(
        "export", "ics", "--split-by", "festival", "--out-dir", str(out_dir), "--include-private"
    )
    assert code == 0, err
    special = Calendar.from_ical((out_dir / "special_screenings.ics").read_bytes())
    (event,) = special.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.date(2013, 6, 11)
    assert "special_screenings.ics" in (out_dir / "index.html").read_text()
    code, report = ical_check(*sorted(out_dir.glob("*.ics")))
    assert code == 0, report


# --- What each event carries -------------------------------------------------------


def test_timed_events_are_local_with_a_zone_and_an_end(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS)))
    data = export(cli, tmp_path / "feed.ics", "--festival", "Sheffield Doc/Fest")
    calendar = Calendar.from_ical(data)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    found = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    killing = found["The Act of Killing"]
    assert killing["DTSTART"].params["TZID"] == "Europe/London"
    assert killing.decoded("DTSTART").isoformat() == "2013-06-14T12:30:00+01:00"
    assert killing.decoded("DTEND") - killing.decoded("DTSTART") == dt.timedelta(minutes=115)
    assert str(killing["STATUS"]) == "CONFIRMED" and int(killing["SEQUENCE"]) == 0
    assert str(killing["LOCATION"]) == "Crucible Theatre, Sheffield"
    assert killing["CATEGORIES"].cats == ["Sheffield Doc/Fest", "Competition", "regular"]
    description = str(killing["DESCRIPTION"])
    assert "directed by Joshua Oppenheimer" in description and "115 min" in description
    assert "Sheffield Doc/Fest 2013 · Competition" in description
    mothers = found["Mothers"]
    assert mothers.decoded("DTSTART") == dt.date(2013, 6, 13)  # time TBA: all day
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT12H"
    assert "METHOD" not in calendar
    code, report = ical_check(tmp_path / "feed.ics")
    assert code == 0, report


def test_the_same_database_gives_the_same_bytes(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS)))
    first = export(cli, tmp_path / "a.ics")
    assert export(cli, tmp_path / "b.ics") == first
    code, out, _ = cli("list", "--format", "ics")
    assert code == 0 and out == first
    out_dir = tmp_path / "feeds"
    cli("export", "ics", "--split-by", "venue", "--out-dir", str(out_dir))
    times = {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()}
    code, _, err = cli("export", "ics", "--split-by", "venue", "--out-dir", str(out_dir))
    assert "0 written, 2 unchanged, 0 removed" in err
    assert {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()} == times


def test_an_empty_feed_is_still_a_valid_calendar(cli: Cli, tmp_path: Path) -> None:
    import_seed(cli)
    path = tmp_path / "idfa.ics"
    data = export(cli, path, "--festival", "IDFA")
    calendar = Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    private_only = tmp_path / "special.ics"
    export(cli, private_only, "--kind", "special")
    assert Calendar.from_ical(private_only.read_bytes()).walk("VEVENT") == []
    code, report = ical_check(path, private_only)
    assert code == 0, report


def test_cancelled_marked_or_omitted(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS)))
    ids = {s["film"]["title"] + " " + s["local_date"]: s["id"] for s in _listed(cli)}
    assert cli("cancel", "screening", f"#{ids['The Defector 2013-06-14']}")[0] == 0
    assert cli("postpone", "screening", f"#{ids['The Defector 2013-06-15']}")[0] == 0
    marked = events(export(cli, tmp_path / "marked.ics"))
    statuses = sorted(
        (str(e["SUMMARY"]), str(e["STATUS"]), int(e["SEQUENCE"])) for e in marked.values()
    )
    assert statuses == [
        ("Mothers", "CONFIRMED", 0),
        ("Postponed: The Defector", "CANCELLED", 1),
        ("The Act of Killing", "CONFIRMED", 0),
        ("The Defector", "CANCELLED", 1),
    ]
    omitted = events(export(cli, tmp_path / "omitted.ics", "--cancelled", "omit"))
    assert sorted(str(e["SUMMARY"]) for e in omitted.values()) == ["Mothers", "The Act of Killing"]
    code, report = ical_check(tmp_path / "marked.ics", tmp_path / "omitted.ics")
    assert code == 0, report


def _listed(cli: Cli) -> list[dict[str, Any]]:
    code, out, err = cli("list", "--include-private", "--format", "json")
    assert code == 0, err
    return list(json.loads(out)["screenings"])


# --- Updates in place --------------------------------------------------------------


NEW_DATE = ("--on", "2013-06-16")
MOTHERS_PREMIERE = ("Sheffield DocFest 2013 20th", "--premiere", "UK premiere")


def test_every_kind_of_change_updates_in_place(cli: Cli, tmp_path: Path) -> None:
    lineup = write_csv(tmp_path / "lineup.csv", ROWS)
    cli("import", str(lineup))
    ids = {s["film"]["title"] + " " + s["local_date"]: s["id"] for s in _listed(cli)}
    steps: list[tuple[str, ...]] = [
        ("edit", "screening", f"#{ids['The Defector 2013-06-14']}", "--at", "18:30"),
        ("edit", "film", "The Act of Killing", "--title", "The Act of Killing (director's cut)"),
        ("edit", "venue", "Showroom Cinema", "--address", "15 Paternoster Row"),
        ("edit", "edition", "Sheffield Doc/Fest 2013", "--label", "20th"),
        ("edit", "screening", f"#{ids['Mothers 2013-06-13']}", "--status", "tentative"),
        ("cancel", "screening", f"#{ids['Mothers 2013-06-13']}"),
        ("postpone", "screening", f"#{ids['The Act of Killing 2013-06-14']}"),
        # The postponed screening gets its new date: the same event, moved, on again.
        ("edit", "screening", f"#{ids['The Act of Killing 2013-06-14']}", *NEW_DATE),
        ("edit", "festival", "Sheffield Doc/Fest", "--name", "Sheffield DocFest"),
        ("edit", "person", "Joshua Oppenheimer", "--name", "Joshua L. Oppenheimer"),
        ("edit", "selection", "Mothers", "--edition", *MOTHERS_PREMIERE),
        ("edit", "film", "Mothers", "--link", "trailer=https://example.org/mothers"),
        ("remove", "selection", "#3", "--yes"),
    ]
    old = tmp_path / "step0.ics"
    before = events(export(cli, old))
    # A corrected re-import first: a new time for S3, and S2 gone (cancelled by --sync).
    rows = [r[:] for r in ROWS if r[0] != "S2"]
    rows[1][10] = "13:00"
    code, _, err = cli("import", str(write_csv(tmp_path / "fixed.csv", rows, HEADER)), "--sync")
    assert code == 0, err
    new = tmp_path / "reimported.ics"
    after = events(export(cli, new))
    assert set(after) == set(before)
    report = ical_compare(old, new)
    assert report is None or "changed: 2 (SEQUENCE bumped: 2" in report
    old, before = new, after
    for number, step in enumerate(steps, start=1):
        code, _, err = cli(*step)
        assert code == 0, (step, err)
        new = tmp_path / f"step{number}.ics"
        after = events(export(cli, new))
        assert set(after) == set(before), step
        changed = [u for u in after if _content(after[u]) != _content(before[u])]
        assert changed, step
        for uid in changed:
            assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"]), (step, uid)
        ical_compare(old, new)
        old, before = new, after
    moved = next(e for e in after.values() if "Act of Killing" in str(e["SUMMARY"]))
    assert str(moved["STATUS"]) == "CONFIRMED" and moved.decoded("DTSTART").day == 16
    omitted = tmp_path / "omitted.ics"
    export(cli, omitted, "--cancelled", "omit")
    ical_compare(old, omitted)
    code, report = ical_check(*sorted(tmp_path.glob("*.ics")))
    assert code == 0, report


def _content(event: Any) -> bytes:
    skip = {"DTSTAMP", "SEQUENCE", "LAST-MODIFIED"}
    return b"".join(
        f"{name}:{value!r}".encode() for name, value in event.property_items() if name not in skip
    )


def test_a_split_removes_a_feed_whose_group_has_nothing_left(cli: Cli, tmp_path: Path) -> None:
    import_seed(cli)
    out_dir = tmp_path / "feeds"
    (out_dir).mkdir()
    (out_dir / "mine.ics").write_text("not ours")
    cli("export", "ics", "--split-by", "festival", "--out-dir", str(out_dir))
    assert (out_dir / "hot-docs.ics").exists()
    screening = next(s for s in _listed(cli) if s["edition"])
    assert cli("edit", "screening", f"#{screening['id']}", "--private")[0] == 0
    split = ("export", "ics", "--split-by", "festival", "--out-dir", str(out_dir))
    # Nothing is left to show at all: that takes --allow-empty (a wrong --db looks the same).
    code, _, err = cli(*split)
    assert code == 2 and "this split has no events" in err
    assert (out_dir / "hot-docs.ics").exists()
    code, _, err = cli(*split, "--allow-empty")
    assert code == 0 and "1 removed" in err
    assert not (out_dir / "hot-docs.ics").exists() and (out_dir / "mine.ics").exists()
    index = {f["slug"]: f for f in json.loads((out_dir / "index.json").read_text())["feeds"]}
    assert index["hot-docs"] == {
        "slug": "hot-docs", "title": "Hot Docs", "file": None, "events": 0, "cancelled": 0,
        "reason": "no dated screenings",
    }  # fmt: skip


def test_a_split_with_other_options_removes_nothing_of_the_last(cli: Cli, tmp_path: Path) -> None:
    import_seed(cli)
    out_dir = tmp_path / "feeds"
    split = ("export", "ics", "--split-by", "festival", "--out-dir", str(out_dir))
    assert cli(*split, "--include-private")[0] == 0
    assert sorted(p.name for p in out_dir.glob("*.ics")) == [
        "hot-docs.ics",
        "special_screenings.ics",
    ]
    code, _, err = cli(*split, "--festival", "Hot Docs")
    assert code == 0 and "0 removed" in err and "1 feed(s) of an earlier split" in err
    assert (out_dir / "special_screenings.ics").exists()
    code, _, err = cli("export", "ics", "--split-by", "film", "--out-dir", str(out_dir))
    assert code == 0 and (out_dir / "hot-docs.ics").exists()


def test_a_split_that_cannot_write_a_feed_leaves_the_directory_as_it_was(
    cli: Cli, tmp_path: Path
) -> None:
    import_seed(cli)
    out_dir = tmp_path / "feeds"
    (out_dir / "special_screenings.ics").mkdir(parents=True)  # in the way
    code, _, err = cli(
        "export", "ics", "--split-by", "festival", "--out-dir", str(out_dir), "--include-private"
    )
    assert code == 2 and "special_screenings.ics is a directory" in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["special_screenings.ics"]


def test_split_by_person_puts_a_screening_in_each_credited_persons_feed(
    cli: Cli, tmp_path: Path
) -> None:
    import_seed(cli)
    out_dir = tmp_path / "people"
    code, _, err = cli("export", "ics", "--split-by", "person", "--out-dir", str(out_dir))
    assert code == 0, err
    feeds = sorted(p.name for p in out_dir.glob("*.ics"))
    assert feeds == ["ann-shin.ics", "manfred-becker.ics", "stephen-chung.ics"]
    uids = {name: set(events((out_dir / name).read_bytes())) for name in feeds}
    assert uids["ann-shin.ics"] == uids["stephen-chung.ics"] and len(uids["ann-shin.ics"]) == 1


# --- Text -------------------------------------------------------------------------

# Every kind of text a note may hold (a control character such as BEL it may not:
# refused at every door, see tests/test_rules_in_commands.py).
NASTY = (
    'Q&A; then drinks, "free"\\ for all\r\nSecond line\rThird line bell\ttab '
    "🎬 مرحبا בעולם " + "long " * 40 + "é" * 50
)


def test_any_text_survives_the_database_and_the_feed(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(write_csv(tmp_path / "lineup.csv", ROWS[:1])))
    (screening,) = _listed(cli)
    code, _, err = cli("edit", "screening", f"#{screening['id']}", "--note", NASTY)
    assert code == 0, err
    path = tmp_path / "nasty.ics"
    data = export(cli, path)
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    (event,) = events(data).values()
    expected = NASTY.replace("\r\n", "\n").replace("\r", "\n")
    expected = expected.replace("\t", " ")
    assert str(event["DESCRIPTION"]).endswith(expected.strip())
    code, report = ical_check(path)
    assert code == 0, report


# --- JSON and CSV ------------------------------------------------------------------


def test_json_and_csv_exports_are_the_list_contract(cli: Cli, tmp_path: Path) -> None:
    import_seed(cli)
    for fmt in ("json", "csv"):
        code, exported, err = cli("export", fmt)
        assert code == 0, err
        code, listed, _ = cli("list", "--format", fmt)
        assert exported == listed
    code, _, err = cli("export", "json", "-o", str(tmp_path / "all.json"), "--include-private")
    assert code == 0 and "2 screening(s)" in err


# --- Bad input --------------------------------------------------------------------


BAD = [
    (
        ("export", "xml"),
        2,
        "FORMAT: unknown format 'xml'; expected one of ics, json, csv, frab-xml, frab-json",
    ),
    (("export", "ics", "--split-by", "city", "--out-dir", "x"), 2,
     "--split-by: expected one of festival, edition, venue, film, person, got 'city'"),
    (("export", "ics", "--split-by", "venue"), 2, "--split-by: give --out-dir DIR for the feeds"),
    (("export", "json", "--split-by", "venue", "--out-dir", "x"), 2,
     "--split-by: only for ics feeds"),
    (("export", "ics", "--split-by", "venue", "--out-dir", "x", "--title", "T"), 2,
     "--title: a split names each feed after its group; leave it out"),
    (("export", "ics", "--split-by", "venue", "--out-dir", ""), 2,
     "--out-dir: empty; expected a directory"),
    (("export", "ics", "--refresh", "soon"), 2,
     "--refresh: expected e.g. 30m, 12h or 1d, got 'soon'"),
    (("export", "ics", "--refresh", "99999d"), 2,
     "--refresh: expected from one minute to 31 days"),
    (("export", "ics", "--title", " "), 2, "--title: empty; give the calendar a name"),
    (("export", "ics", "--cancelled", "hide"), 2,
     "--cancelled: expected one of mark, omit, got 'hide'"),
    (("export", "ics", "--cancelled", "omit", "--status", "cancelled"), 2,
     "--cancelled: omit leaves out every screening --status asks for (cancelled)"),
    (("export", "ics", "--festival", "Cannes"), 3,
     "--festival: no festival called 'Cannes'"),
    (("list", "films", "--format", "ics"), 2,
     "--format: unknown format 'ics' for films; expected one of table, json, csv"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "message"), BAD)
def test_bad_arguments_are_one_line(
    cli: Cli, args: tuple[str, ...], code: int, message: str
) -> None:
    cli("db", "upgrade")  # the database exists: nothing but the error is said
    assert cli(*args) == (code, b"", f"screenings: error: {message}\n")


def test_a_mistyped_database_is_refused_not_created(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    typo = tmp_path / "typo.sqlite3"
    live = tmp_path / "live.ics"
    live.write_bytes(b"published")
    code = run(["--db", str(typo), "export", "ics", "-o", str(live)])
    err = capsysbinary.readouterr().err.decode()
    assert code == 2 and f"--db: no catalogue at {typo}" in err
    assert not typo.exists() and live.read_bytes() == b"published"


def test_dash_is_stdout_and_a_full_disk_is_one_line(cli: Cli, url: str) -> None:
    import_seed(cli)
    code, out, _ = cli("export", "ics", "-o", "-")
    assert code == 0 and out.startswith(b"BEGIN:VCALENDAR")
    if Path("/dev/full").exists():
        with open("/dev/full", "wb") as full:
            done = subprocess.run(
                [sys.executable, "-m", "screenings", "--db", url, "export", "ics"],
                stdout=full,
                capture_output=False,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        assert done.returncode == 2
        assert done.stderr == "screenings: error: stdout: cannot write: No space left on device\n"


def test_an_unwritable_output_is_one_line(cli: Cli, tmp_path: Path) -> None:
    cli("db", "upgrade")
    code, _, err = cli("export", "ics", "-o", str(tmp_path))
    assert code == 2 and "is a directory" in err
    blocked = tmp_path / "file"
    blocked.write_text("")
    code, _, err = cli("export", "ics", "--split-by", "film", "--out-dir", str(blocked / "x"))
    assert code == 2 and err.startswith("screenings: error: --out-dir: cannot create")
