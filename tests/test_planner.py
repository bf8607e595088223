"""The festival planner (#24), through the command line and the feed server, on SQLite and
PostgreSQL: a wish list solved into the best plan, what must-sees, pins, busy periods and
travel times change, the reasons given, a plan broken by the festival and re-solved, its
calendar kept in place, and what removals and merges do to it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from screenings.cli import run
from screenings.config import Settings
from screenings.db import unit_of_work
from screenings.services import planning, plans
from screenings.web import FeedApp
from tests import factories as make
from tests.icalcheck import ical_check, ical_compare
from tests.planning_brute import best, feasible

PLAN = "my docpoint"
# Four films in three venues of Helsinki: priorities 4, 4, 3, 2. Screenings #1 to #5.
DOCPOINT = [
    ["add", "festival", "DocPoint", "--city", "Helsinki", "--timezone", "Europe/Helsinki"],
    ["add", "edition", "DocPoint", "2026", "--from", "2026-01-27", "--to", "2026-02-01"],
    *(
        ["add", "venue", name, "--city", "Helsinki", "--timezone", "Europe/Helsinki"]
        for name in ("Bio Rex", "Kino Regina", "Orion")
    ),
    *(
        ["add", "film", title, "--year", "2025", "--runtime", runtime]
        for title, runtime in (
            ("Ice Tales", "80"),
            ("Night Bus", "95"),
            ("Harbour", "100"),
            ("Long Walk", "120"),
        )
    ),
    *(
        ["add", "screening", title, "--edition", "DocPoint 2026", "--venue", venue,
         "--at", f"2026-01-{when}"]
        for title, venue, when in (
            ("Ice Tales", "Bio Rex", "27 18:00"),  # 1: ends 19:20
            ("Ice Tales", "Orion", "28 20:00"),  # 2
            ("Night Bus", "Kino Regina", "27 19:00"),  # 3: ends 20:35
            ("Harbour", "Kino Regina", "27 19:40"),  # 4: ends 21:20
            ("Long Walk", "Orion", "27 21:30"),  # 5: 10 minutes after #4 ends
        )
    ),
    ["plan", "create", PLAN, "--edition", "DocPoint 2026", "--owner", "A. Critic"],
    ["plan", "want", PLAN, "Ice Tales", "Night Bus", "--priority", "4"],
    ["plan", "want", PLAN, "Harbour", "--priority", "3"],
    ["plan", "want", PLAN, "Long Walk", "--priority", "2"],
]  # fmt: skip


@pytest.fixture
def docpoint(
    backend: str, new_url: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> str:
    url = new_url(backend)
    for command in DOCPOINT:
        assert run(["--db", url, *command]) == 0, (command, capsys.readouterr().err)
    capsys.readouterr()
    return url


def said(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def solved(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code, out, err = said(url, "plan", "solve", PLAN, *extra, capsys=capsys)
    assert code == 0, err
    return out


def chosen(url: str, capsys: pytest.CaptureFixture[str]) -> list[int]:
    code, out, err = said(url, "list", "--plan", PLAN, "--format", "json", capsys=capsys)
    assert code == 0, err
    return [s["id"] for s in json.loads(out)["screenings"]]


def test_the_best_plan_and_why_each_film_left_out_is_out(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = solved(docpoint, capsys)
    # Ice Tales on Wednesday (Tuesday's clashes with Night Bus), Night Bus, Long Walk: 10.
    assert chosen(docpoint, capsys) == [3, 5, 2]
    assert out.splitlines()[0] == (
        "Plan 'my docpoint': 3 screening(s), priority 10 (proven optimal; a plan by hand, "
        "each film at its first screening that fits: priority 7)"
    )
    assert "  19:00-20:35  Night Bus  Kino Regina, Helsinki  #3  [priority 4]" in out
    assert (
        "  Harbour (2025, #3), priority 3, is left out: its one screening: #4 (Tue 27 Jan "
        "19:40): clashes with priority 4 Night Bus and priority 2 Long Walk"
    ) in out.splitlines()


def test_must_sees_pins_busy_periods_and_travel_times_each_change_the_plan(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def run_ok(*args: str) -> None:
        code, _, err = said(docpoint, *args, capsys=capsys)
        assert code == 0, err

    run_ok("plan", "want", PLAN, "Harbour", "--must")
    solved(docpoint, capsys)
    # Harbour at 19:40 shuts out Night Bus (overlap) and Long Walk (10 min to walk 15).
    assert 4 in chosen(docpoint, capsys)
    assert not {3, 5} & set(chosen(docpoint, capsys))
    run_ok("add", "travel", "Kino Regina", "Orion", "5")
    solved(docpoint, capsys)
    assert {4, 5} <= set(chosen(docpoint, capsys))  # five minutes' walk now: it fits
    run_ok("plan", "want", PLAN, "Harbour", "--not-must")  # no longer a must-see
    run_ok("plan", "busy", PLAN, "--from", "2026-01-28 19:00", "--to", "22:00",
           "--note", "jury dinner")  # fmt: skip
    solved(docpoint, capsys, "--fresh")
    # Wednesday's Ice Tales falls in the dinner: Tuesday's, which clashes with Night Bus.
    assert chosen(docpoint, capsys) == [1, 4, 5]
    run_ok("plan", "pin", PLAN, "#3")
    out = solved(docpoint, capsys)
    assert chosen(docpoint, capsys) == [3, 5]
    assert "falls in the busy period Wed 28 Jan 2026 19:00-22:00 (jury dinner)" in out


def test_must_sees_that_cannot_all_be_seen_are_named_as_a_minimal_set(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    solved(docpoint, capsys)
    for film in ("Night Bus", "Harbour", "Ice Tales"):
        assert run(["--db", docpoint, "plan", "want", PLAN, film, "--must"]) == 0
    capsys.readouterr()
    code, out, err = said(docpoint, "plan", "solve", PLAN, capsys=capsys)
    assert (code, out) == (5, "")
    # Ice Tales fits with either: it is not part of the conflict.
    assert err.splitlines() == [
        "plan 'my docpoint' cannot hold all of these; drop any one and the rest fit:",
        "  - must-see Night Bus (2025, #2)",
        "  - must-see Harbour (2025, #3)",
        "screenings: error: plan: 'my docpoint' cannot be solved; nothing changed",
    ]
    assert chosen(docpoint, capsys) == [3, 5, 2]  # the plan before stays


def test_a_moved_screening_breaks_the_plan_which_a_re_solve_mends_with_fewest_changes(
    docpoint: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    solved(docpoint, capsys)
    before, after = tmp_path / "before.ics", tmp_path / "after.ics"
    assert run(["--db", docpoint, "plan", "export", PLAN, "-o", str(before)]) == 0
    assert run(["--db", docpoint, "edit", "screening", "5", "--at", "2026-01-27 20:00"]) == 0
    capsys.readouterr()
    code, out, _ = said(docpoint, "plan", "show", PLAN, capsys=capsys)
    assert code == 0
    assert out.splitlines()[-5:] == [
        "Changed since its solve:",
        "  #5 Long Walk, Tue 27 Jan 21:30, Orion, Helsinki moved: now #5 Long Walk, "
        "Tue 27 Jan 20:00, Orion, Helsinki",
        "BROKEN: it cannot be followed as it stands:",
        "  #3 Night Bus, Tue 27 Jan 19:00, Kino Regina, Helsinki and #5 Long Walk, Tue 27 Jan "
        "20:00, Orion, Helsinki overlap",
        "Re-solve, changing as little as it can: screenings plan solve 'my docpoint'",
    ]
    code, out, _ = said(docpoint, "check", "--plan", PLAN, capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "plan: overlap: #3 Night Bus, Tue 27 Jan 19:00, Kino Regina, Helsinki and #5 Long "
        "Walk, Tue 27 Jan 20:00, Orion, Helsinki overlap"
    ]
    # The calendar shows the move in place: the same UID, a higher SEQUENCE.
    assert run(["--db", docpoint, "plan", "export", PLAN, "-o", str(after)]) == 0
    ical_compare(before, after)
    out = solved(docpoint, capsys)
    assert "  changes to the plan before: 2 kept, 1 dropped, 0 added" in out
    assert chosen(docpoint, capsys) == [3, 2]
    code, out, _ = said(docpoint, "plan", "show", PLAN, capsys=capsys)
    assert "BROKEN" not in out and "Changed" not in out
    assert ical_check(before, after)[0] == 0


def test_a_re_solve_keeps_the_current_screening_among_equally_good_ones(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", docpoint, "plan", "unwant", PLAN, "Night Bus"]) == 0
    for kept in ("#1", "#2"):  # both of Ice Tales' screenings fit now
        assert run(["--db", docpoint, "plan", "pin", PLAN, kept]) == 0
        solved(docpoint, capsys, "--fresh")
        assert run(["--db", docpoint, "plan", "unpin", PLAN, kept]) == 0
        out = solved(docpoint, capsys)
        assert int(kept[1:]) in chosen(docpoint, capsys)
        assert "0 dropped, 0 added" in out


def test_removals_flag_the_plan_and_merges_carry_it(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    solved(docpoint, capsys)
    assert run(["--db", docpoint, "remove", "screening", "5", "--yes"]) == 0
    assert run(["--db", docpoint, "add", "film", "Ice Tales (dup)", "--year", "2025"]) == 0
    assert run(["--db", docpoint, "plan", "want", PLAN, "Ice Tales (dup)", "--must"]) == 0
    assert run(["--db", docpoint, "merge", "film", "Ice Tales", "Ice Tales (dup)"]) == 0
    assert run(["--db", docpoint, "remove", "film", "Harbour", "--cascade", "--yes"]) == 0
    capsys.readouterr()
    code, out, _ = said(docpoint, "plan", "show", PLAN, capsys=capsys)
    assert code == 0
    assert "  Ice Tales (2025, #1)  must-see, priority 4" in out  # the duplicate's, carried
    assert "Harbour" not in out.split("Plan (")[0]  # off the wish list
    assert out.splitlines()[-4:-1] == [
        "Changed since its solve:",
        "  screening #5 Long Walk, Tue 27 Jan 2026 21:30, Orion, Helsinki was removed",
        "  the film Harbour (2025, #3) was removed; it was on the wish list",
    ]
    assert chosen(docpoint, capsys) == [3, 2]


def fetch(url: str, path: str, query: str = "") -> tuple[str, dict[str, str], bytes]:
    """A GET of the feed server's WSGI application over ``url``'s catalogue."""
    app = FeedApp(Settings(url, default_timezone="Europe/Helsinki"))
    answer: list[Any] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "films.example.org",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.errors": sys.stderr,
    }
    body = b"".join(app(environ, lambda status, headers: answer.append((status, headers))))
    return answer[0][0], dict(answer[0][1]), body


def secret_feed(url: str, name: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A secret feed of the plan, made by the command line: its path."""
    code, out, err = said(url, "feed", "create", name, "--plan", PLAN, capsys=capsys)
    assert code == 0, err
    return "/feeds/secret/" + out.strip().rsplit("/", 1)[1]


def test_the_plans_feed_shows_a_move_and_a_cancellation_in_place(
    docpoint: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    solved(docpoint, capsys)
    feed = secret_feed(docpoint, "critic", capsys)
    before, moved, cancelled = (tmp_path / f"{n}.ics" for n in ("before", "moved", "off"))
    before.write_bytes(fetch(docpoint, feed)[2])
    assert run(["--db", docpoint, "edit", "screening", "5", "--at", "2026-01-27 22:00"]) == 0
    moved.write_bytes(fetch(docpoint, feed)[2])
    assert run(["--db", docpoint, "cancel", "screening", "2"]) == 0
    cancelled.write_bytes(fetch(docpoint, feed)[2])
    capsys.readouterr()
    assert b"STATUS:CANCELLED" in cancelled.read_bytes()
    ical_compare(before, moved)
    ical_compare(moved, cancelled)
    code, out, _ = said(docpoint, "plan", "show", PLAN, capsys=capsys)
    assert code == 0
    assert "  #2 Ice Tales, Wed 28 Jan 20:00, Orion, Helsinki is now cancelled" in out
    # Without Night Bus in the way, a re-solve takes Tuesday's Ice Tales instead.
    assert run(["--db", docpoint, "plan", "unwant", PLAN, "Night Bus"]) == 0
    solved(docpoint, capsys)
    assert 1 in chosen(docpoint, capsys)
    assert ical_check(before, moved, cancelled)[0] == 0


def test_a_screening_of_unannounced_time_is_taken_only_when_pinned(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", docpoint, "edit", "screening", "4", "--at", "TBA"]) == 0
    out = solved(docpoint, capsys)
    assert 4 not in chosen(docpoint, capsys)
    assert (
        "#4 (Tue 27 Jan time TBA): its time is not announced yet (pin it to take it anyway)"
    ) in out
    assert run(["--db", docpoint, "plan", "pin", PLAN, "#4"]) == 0
    out = solved(docpoint, capsys)
    assert 4 in chosen(docpoint, capsys)
    assert "  time TBA     Harbour  Kino Regina, Helsinki  #4  [pinned]" in out


def test_a_plan_is_a_secret_feed_and_its_page_never_a_public_parameter(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    solved(docpoint, capsys)
    feed = secret_feed(docpoint, "critic", capsys).removesuffix(".ics")

    def get(path: str, query: str = "") -> tuple[str, dict[str, str], bytes]:
        return fetch(docpoint, path, query)

    status, headers, body = get(f"{feed}.ics")
    assert (status, headers["Cache-Control"]) == ("200 OK", "private, no-store")
    assert body.count(b"BEGIN:VEVENT") == 3
    status, headers, page = get(f"{feed}.html")
    assert (status, headers["Cache-Control"]) == ("200 OK", "private, no-store")
    assert b"<h1><bdi>my docpoint</bdi></h1>" in page
    assert page.count(b'" class="scheduled">') == 3  # <li id="screening-N" class=...>
    assert get("/feeds/all.ics", f"plan={PLAN}")[0].startswith("400")
    code, out, _ = said(docpoint, "feed", "create", "all", capsys=capsys)
    other = out.strip().rsplit("/", 1)[1].removesuffix(".ics")
    assert get(f"/feeds/secret/{other}.html")[0] == "404 Not Found"  # not a plan's
    code, _, _ = said(docpoint, "plan", "remove", PLAN, "--yes", capsys=capsys)
    assert code == 0
    assert get(f"{feed}.ics")[0] == "404 Not Found"


def test_travel_times_are_catalogue_data(docpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert said(docpoint, "add", "travel", "Orion", "Bio Rex", "12", capsys=capsys)[1] == (
        "Added travel: Bio Rex (Helsinki, #1) <-> Orion (Helsinki, #3): 12 min\n"
    )
    code, _, err = said(docpoint, "add", "travel", "Bio Rex", "Orion", "9", capsys=capsys)
    assert (code, err) == (
        5,
        "screenings: error: Bio Rex (Helsinki, #1) and Orion (Helsinki, #3) already have a "
        "travel time (12 min); change it with 'screenings edit travel'\n",
    )
    assert said(docpoint, "edit", "travel", "Orion", "Bio Rex", "9", capsys=capsys)[0] == 0
    code, out, _ = said(docpoint, "list", "travel", "--format", "json", capsys=capsys)
    assert json.loads(out)["travel"] == [
        {"first": "Bio Rex (Helsinki, #1)", "minutes": 9, "second": "Orion (Helsinki, #3)"}
    ]
    code, _, err = said(docpoint, "add", "travel", "Orion", "Orion", "3", capsys=capsys)
    assert (code, err) == (
        2,
        "screenings: error: venues: both name Orion (Helsinki, #3); a venue to itself is 0 "
        "minutes\n",
    )
    code, _, err = said(docpoint, "add", "travel", "Orion", "Bio Rex", "2000", capsys=capsys)
    assert (code, err) == (
        2,
        "screenings: error: MINUTES: expected minutes from 0 to 1440, got 2000\n",
    )
    assert said(docpoint, "remove", "travel", "Orion", "Bio Rex", "--yes", capsys=capsys)[0] == 0
    assert said(docpoint, "list", "travel", capsys=capsys)[2] == "no travel match\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["plan", "want", PLAN, "Harbour", "--priority", "7"], 2,
         "--priority: expected 1 to 5 (5: want it most), got 7"),
        (["plan", "want", "nobody's", "Harbour"], 3,
         "no plan called \"nobody's\"; there are: my docpoint"),
        (["plan", "create", "My  DocPoint", "--edition", "DocPoint 2026"], 5,
         "there is already a plan called 'my docpoint'; choose another name"),
        (["plan", "create", "other"], 2, "--edition: a plan needs at least one edition"),
        (["plan", "solve", PLAN, "--time-limit", "0"], 2,
         "--time-limit: expected seconds above 0, up to 3600, got 0"),
        (["plan", "busy", PLAN, "--from", "2026-01-28 19:00", "--to", "2026-01-28 18:00"], 2,
         "--to: expected a time after --from ('2026-01-28 19:00')"),
        (["plan", "unpin", PLAN, "#3"], 3, "screening #3 is not pinned in 'my docpoint'"),
        (["remove", "travel", "Orion"], 2,
         "remove: travel takes two venues (remove travel VENUE VENUE)"),
        (["plan", "remove", PLAN], 2,
         "plan: this would remove 'my docpoint' (#1); pass --yes to do it"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_line_naming_what_was_expected(
    docpoint: str, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    assert said(docpoint, *args, capsys=capsys)[::2] == (code, f"screenings: error: {message}\n")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    starts=st.lists(st.integers(0, 40), min_size=1, max_size=14),
    lengths=st.lists(st.integers(4, 10), min_size=14, max_size=14),
    films=st.lists(st.integers(0, 4), min_size=14, max_size=14),
    venues=st.lists(st.integers(0, 2), min_size=14, max_size=14),
    priorities=st.lists(st.integers(1, 5), min_size=5, max_size=5),
)
def test_a_plan_solved_from_the_catalogue_is_feasible_and_exactly_optimal(
    connection: Connection,
    starts: list[int],
    lengths: list[int],
    films: list[int],
    venues: list[int],
    priorities: list[int],
) -> None:
    import datetime as dt

    with unit_of_work(connection, dry_run=True) as session:
        fest = make.festival(session, "Random Fest", city="Helsinki", timezone="Europe/Helsinki")
        edition = make.edition(session, fest, 2026)
        places = [
            make.venue(session, f"Hall {n}", city="Helsinki", timezone="Europe/Helsinki")
            for n in range(3)
        ]
        titles = [make.film(session, f"Film {n}", year=2025) for n in range(5)]
        taken = set()
        for number, start in enumerate(starts):
            if (films[number], venues[number], start) in taken:
                continue  # one film once at one venue and time (the slot key)
            taken.add((films[number], venues[number], start))
            minutes = 10 * 60 + start * 15
            make.screening(
                session,
                titles[films[number]],
                dt.date(2026, 1, 27 + minutes // (24 * 60)),
                dt.time((minutes // 60) % 24, minutes % 60),
                venue=places[venues[number]],
                edition=edition,
                timezone="Europe/Helsinki",
                duration_minutes=lengths[number] * 15,
            )
        session.flush()
        plans.create_plan(session, "random", editions=[f"#{edition.id}"])
        for film, priority in zip(titles, priorities, strict=True):
            plans.want(session, "random", [f"#{film.id}"], priority=priority)
        problem = planning._candidates(
            session, plans.find_plan(session, "random"), default_length_minutes=90, time_limit=10
        ).problem
        result = planning.solve_plan(session, "random")
        by_id = {slot.id: slot for slot in problem.slots}
        picked = [by_id[c.screening.id] for c in result.chosen]
        assert result.status == "optimal"
        assert feasible(problem, picked)
        assert result.priority == best(problem)


def test_a_programme_on_the_wish_list_counts_for_each_of_its_films(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (
        ["add", "film", "Salt", "--year", "2025", "--runtime", "20"],
        ["add", "programme", "Shorts 1", "--edition", "DocPoint 2026",
         "--film", "Ice Tales", "--film", "Salt"],
        ["add", "screening", "--programme", "Shorts 1", "--edition", "DocPoint 2026",
         "--venue", "Orion", "--at", "2026-01-29 18:00"],
        ["plan", "unwant", PLAN, "Ice Tales", "Night Bus", "Harbour", "Long Walk"],
        ["plan", "want", PLAN, "Shorts 1", "--priority", "2"],
        ["plan", "want", PLAN, "Night Bus", "--priority", "3"],
    ):  # fmt: skip
        assert run(["--db", docpoint, *command]) == 0, command
    capsys.readouterr()
    out = solved(docpoint, capsys)
    # Ice Tales and Salt, priority 2 each, in the block (#6): 4 over Night Bus's 3. The
    # block's screening clashes with nothing; Ice Tales alone (#1, #2) is not needed.
    assert chosen(docpoint, capsys) == [3, 6]
    assert "  18:00-19:40  Shorts 1 (Ice Tales; Salt)  Orion, Helsinki  #6  [priority 4: 2 " in out
    # Ice Tales wanted at 5 beside the block at 2: the higher counts, once.
    assert run(["--db", docpoint, "plan", "want", PLAN, "Ice Tales", "--priority", "5"]) == 0
    capsys.readouterr()
    out = solved(docpoint, capsys)
    assert "#6  [priority 7: 2 wanted films]" in out
    assert run(["--db", docpoint, "plan", "want", PLAN, "Shorts 1", "--must"]) == 0
    assert run(["--db", docpoint, "remove", "programme", "Shorts 1", "--cascade", "--yes"]) == 0
    capsys.readouterr()
    out = said(docpoint, "plan", "show", PLAN, capsys=capsys)[1]
    assert "  the programme Shorts 1 (DocPoint, #1) was removed; it was on the wish list" in out
    assert "  screening #6 Shorts 1, Thu 29 Jan 2026 18:00, Orion, Helsinki was removed" in out


def test_private_screenings_are_candidates_only_for_a_plan_that_takes_them(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", docpoint, "edit", "screening", "2", "--private"]) == 0
    assert run(["--db", docpoint, "cancel", "screening", "1"]) == 0
    capsys.readouterr()
    out = solved(docpoint, capsys)
    assert 2 not in chosen(docpoint, capsys)
    assert (
        "  Ice Tales (2025, #1), priority 4, is left out: none of its 2 fits: #1 (Tue 27 Jan "
        "18:00): it is cancelled; #2 (Wed 28 Jan 20:00): it is private (the plan takes no "
        "private screenings)"
    ) in out.splitlines()
    assert run(["--db", docpoint, "plan", "edit", PLAN, "--include-private"]) == 0
    solved(docpoint, capsys)
    assert 2 in chosen(docpoint, capsys)  # and in its list, as its owner asked
    feed = secret_feed(docpoint, "critic", capsys)
    assert fetch(docpoint, feed)[2].count(b"CLASS:PRIVATE") == 1
    assert run(["--db", docpoint, "plan", "edit", PLAN, "--public-only"]) == 0
    capsys.readouterr()
    out = said(docpoint, "plan", "show", PLAN, capsys=capsys)[1]
    assert (
        "  #2 Ice Tales, Wed 28 Jan 20:00, Orion, Helsinki is now private: the plan takes no "
        "private screenings, and its calendar leaves it out"
    ) in out
    assert fetch(docpoint, feed)[2].count(b"BEGIN:VEVENT") == 2


def test_busy_periods_with_an_offset_a_screening_with_no_venue_and_venues_merged(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # An offset picks the instant: 17:00 UTC is 19:00 in Helsinki.
    code, out, err = said(docpoint, "plan", "busy", PLAN, "--from", "2026-01-28 17:00+00:00",
                          "--to", "2026-01-28 20:00+00:00", capsys=capsys)  # fmt: skip
    assert (code, out) == (0, "my docpoint: busy #1 Wed 28 Jan 2026 19:00-22:00\n"), err
    solved(docpoint, capsys)
    assert 2 not in chosen(docpoint, capsys)
    assert said(docpoint, "plan", "unbusy", PLAN, "#1", capsys=capsys)[1] == (
        "my docpoint: no longer busy Wed 28 Jan 2026 19:00-22:00\n"
    )
    # Long Walk somewhere in Helsinki, no venue: the default 15 minutes from Harbour,
    # which ends at 21:20; at 21:30 it does not fit, at 21:35 it does.
    assert (
        run(["--db", docpoint, "edit", "screening", "5", "--venue", "", "--city", "Helsinki"]) == 0
    )
    assert run(["--db", docpoint, "plan", "want", PLAN, "Harbour", "--must"]) == 0
    solved(docpoint, capsys)
    assert 5 not in chosen(docpoint, capsys)
    assert run(["--db", docpoint, "edit", "screening", "5", "--at", "2026-01-27 21:35"]) == 0
    solved(docpoint, capsys)
    assert {4, 5} <= set(chosen(docpoint, capsys))
    # A venue merged into another: the plan's screening is at the one kept, not moved.
    assert run(["--db", docpoint, "add", "travel", "Kino Regina", "Bio Rex", "7"]) == 0
    assert run(["--db", docpoint, "merge", "venue", "Bio Rex", "Kino Regina"]) == 0
    capsys.readouterr()
    code, out, _ = said(docpoint, "plan", "show", PLAN, capsys=capsys)
    assert "Changed since" not in out
    assert said(docpoint, "list", "travel", capsys=capsys)[2] == "no travel match\n"


def test_a_plan_is_edited_and_its_name_never_reads_as_an_id(
    docpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = said(docpoint, "plan", "create", "#5", "--edition", "DocPoint 2026",
                        capsys=capsys)  # fmt: skip
    assert (code, err) == (
        2,
        "screenings: error: NAME: '#5' reads as a plan's id; choose another name\n",
    )
    code, out, _ = said(docpoint, "plan", "edit", PLAN, "--buffer", "0", capsys=capsys)
    assert out == "nothing changed: plan 'my docpoint' already is as given\n"
    code, _, err = said(docpoint, "plan", "edit", PLAN, "--remove-edition", "DocPoint 2026",
                        capsys=capsys)  # fmt: skip
    assert (code, err) == (
        2,
        "screenings: error: --remove-edition: a plan needs at least one edition; add "
        "another first\n",
    )
    code, out, _ = said(docpoint, "plan", "edit", PLAN, "--name", "Critic's DocPoint",
                        "--buffer", "20", capsys=capsys)  # fmt: skip
    assert out == (
        'Updated plan "Critic\'s DocPoint"; re-solve to apply: screenings plan solve '
        '"Critic\'s DocPoint"\n'
    )
    assert run(["--db", docpoint, "remove", "edition", "DocPoint 2026", "--cascade", "--yes"]) == 0
    capsys.readouterr()
    code, out, _ = said(docpoint, "plan", "show", "critic's docpoint", capsys=capsys)
    assert "  editions: (none left)" in out
    assert (
        "  the edition DocPoint 2026 (#1) was removed; its screenings are no longer candidates"
    ) in out
