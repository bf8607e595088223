"""A command with nothing to do writes nothing (issue 19, H): the revision counter, every
``updated_at`` and every ``sequence`` stay as they were, so no feed server re-renders; a
command that changes something writes it, and bumps the revision once.

Every table is dumped as stored (the driver's own values, timestamps included) before and
after each command, on SQLite and PostgreSQL. The no-op commands share one catalogue per
backend: each leaves it as it found it, which is what they assert.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text, update

from screenings.cli import run
from screenings.db import bulk_insert, create_db_engine, mark_changed, unit_of_work
from screenings.migrate import upgrade_schema
from screenings.tables import person
from tests.conftest import BACKENDS
from tests.dumps import catalogue, dump

DATA = Path(__file__).resolve().parent.parent / "data"

# A lineup that fills every column a screening, a film and a selection keep.
RICH_HEADER = (
    "ID,Title,Original title,Year,Director,Producer,Credit: Editor,Runtime,Country,Language,"
    "IMDb,Website,Trailer,Festival,Edition,Section,Premiere,Venue,City,Date,Time,Timezone,"
    "Duration,Kind,Audience,Ticket URL,Notes"
)
RICH_ROWS = [
    "R1,Stories We Tell,Histoires,2012,Sarah Polley,Anita Lee,Mike Munn,108,Canada,English,"
    "tt2366450,https://example.com/swt,https://example.com/swt/trailer,Doc Days,2013,"
    "Competition,UK premiere,Hall,Sheffield,2013-06-14,18:30,Europe/London,120,gala,Press,"
    "https://example.com/tickets/r1,Q&A after",
    "R2,Stories We Tell,Histoires,2012,Sarah Polley,Anita Lee,Mike Munn,108,Canada,English,"
    "tt2366450,https://example.com/swt,https://example.com/swt/trailer,Doc Days,2013,"
    "Competition,UK premiere,Hall,Sheffield,2013-06-15,,Europe/London,,regular,,,",
]
AWARDS_HEADER = "Award,Festival,Presenter,Year,Category,Film,Director,Person,Result"

BUILD = [
    ("import", str(DATA / "lineup.csv")),
    ("import", str(DATA / "awards.csv")),
    ("add", "festival", "Doc Days", "--city", "Sheffield", "--country", "United Kingdom",
     "--timezone", "Europe/London", "--website", "https://docdays.example"),
    ("add", "edition", "Doc Days", "2013", "--label", "Spring", "--from", "2013-06-12",
     "--to", "2013-06-16"),
    ("add", "venue", "Hall", "--city", "Sheffield", "--country", "United Kingdom",
     "--address", "1 Paternoster Row", "--timezone", "Europe/London", "--lat", "53.38",
     "--lon", "-1.47"),
    ("import", "{dir}/rich.csv"),
    ("add", "selection", "Stories We Tell", "--edition", "Doc Days 2013 Spring",
     "--section", "Panorama", "--premiere", "world premiere", "--status", "competition"),
    ("add", "screening", "Stories We Tell", "--at", "2013-06-13 20:00", "--venue", "Hall",
     "--edition", "Doc Days 2013 Spring", "--duration", "130", "--kind", "special",
     "--audience", "Jury", "--ticket-url", "https://example.com/tickets/a", "--note", "Late"),
    ("add", "award", "Audience Award", "--festival", "Doc Days"),
    ("add", "nomination", "--award", "Audience Award", "--year", "2013", "--festival",
     "Doc Days", "--category", "Feature", "--film", "Stories We Tell", "--person",
     "Sarah Polley"),
    ("feed", "create", "jury", "--festival", "Doc Days"),
    ("feed", "revoke", "jury"),
    ("feed", "create", "press"),
    ("cancel", "screening", "{toronto}"),
    ("postpone", "screening", "{london}"),
]  # fmt: skip

# Every command that can have nothing to do, given exactly what is stored.
NO_OPS = [
    pytest.param(("db", "retime"), "0 screening(s) moved", id="db-retime"),
    pytest.param(("import", "{dir}/header.csv"), "0 rows", id="import-header-only"),
    pytest.param(("import", "{dir}/awards-header.csv"), "", id="import-awards-header-only"),
    pytest.param(("import", "{dir}/rejected.csv", "--skip-invalid"), "1 rejected",
                 id="import-every-row-rejected"),
    pytest.param(("import", str(DATA / "lineup.csv")), "2 unchanged", id="reimport-seed"),
    pytest.param(("import", "{dir}/rich.csv"), "2 unchanged", id="reimport-rich"),
    pytest.param(("import", "{dir}/rich.csv", "--sync"), "2 unchanged", id="reimport-sync"),
    pytest.param(("import", str(DATA / "awards.csv")), "9 unchanged", id="reimport-awards"),
    pytest.param(("feed", "revoke", "jury"), "revoked already", id="feed-revoke"),
    pytest.param(("cancel", "screening", "{toronto}"), "already cancelled", id="cancel"),
    pytest.param(("postpone", "screening", "{london}"), "already postponed", id="postpone"),
    pytest.param(
        ("edit", "film", "Stories We Tell", "--title", "Stories We Tell", "--year", "2012",
         "--original-title", "Histoires", "--runtime", "108", "--country", "Canada",
         "--language", "English", "--imdb", "tt2366450", "--website",
         "https://example.com/swt"),
        "", id="edit-film",
    ),
    pytest.param(("edit", "film", "Stories We Tell", "--director", "Sarah Polley"), "",
                 id="edit-film-directors"),
    pytest.param(("edit", "film", "Stories We Tell", "--credit", "editor=Mike Munn"), "",
                 id="edit-film-credits"),
    pytest.param(("edit", "film", "Stories We Tell", "--link",
                  "trailer=https://example.com/swt/trailer"), "",
                 id="edit-film-links"),
    pytest.param(("edit", "person", "Sarah Polley", "--name", "Sarah Polley"), "",
                 id="edit-person"),
    pytest.param(
        ("edit", "festival", "Doc Days", "--name", "Doc Days", "--city", "Sheffield",
         "--country", "United Kingdom", "--timezone", "Europe/London", "--website",
         "https://docdays.example"),
        "", id="edit-festival",
    ),
    pytest.param(
        ("edit", "venue", "Hall", "--name", "Hall", "--address", "1 Paternoster Row",
         "--city", "Sheffield", "--country", "United Kingdom", "--timezone", "Europe/London",
         "--lat", "53.38", "--lon", "-1.47"),
        "", id="edit-venue",
    ),
    pytest.param(
        ("edit", "screening", "{hall}", "--on", "2013-06-13", "--at", "20:00", "--venue",
         "Hall", "--duration", "130", "--kind", "special", "--audience", "Jury", "--status",
         "scheduled", "--public", "--ticket-url", "https://example.com/tickets/a", "--note",
         "Late", "--timezone", "Europe/London", "--edition", "Doc Days 2013 Spring"),
        "", id="edit-screening",
    ),
    pytest.param(("edit", "screening", "{hall}", "--at", "2013-06-13 20:00"), "",
                 id="edit-screening-at"),
    pytest.param(("edit", "screening", "{toronto}", "--city", "Toronto", "--status",
                  "cancelled"), "", id="edit-screening-city"),
    pytest.param(
        ("edit", "edition", "Doc Days 2013 Spring", "--year", "2013", "--label", "Spring",
         "--from", "2013-06-12", "--to", "2013-06-16", "--festival", "Doc Days"),
        "", id="edit-edition",
    ),
    pytest.param(("edit", "award", "Audience Award", "--name", "Audience Award",
                  "--festival", "Doc Days"), "", id="edit-award"),
    pytest.param(("edit", "award", "Canadian Screen Awards", "--presenter",
                  "Academy of Canadian Cinema & Television"), "", id="edit-award-presenter"),
    pytest.param(
        ("edit", "nomination", "{nomination}", "--result", "nominated", "--category",
         "Feature", "--film", "Stories We Tell", "--person", "Sarah Polley", "--year", "2013"),
        "", id="edit-nomination",
    ),
    pytest.param(
        ("edit", "selection", "Stories We Tell", "--edition", "Doc Days 2013 Spring",
         "--section", "Panorama", "--premiere", "world premiere", "--status", "competition"),
        "", id="edit-selection",
    ),
]  # fmt: skip


def cli(url: str, *args: str) -> tuple[int, str]:
    """Run the command line in this process; its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["--db", url, *args])
    return code, out.getvalue() + err.getvalue()


def counter(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT counter FROM revision")).scalar_one())


class Catalogue:
    """A catalogue built by ``BUILD``, and the ids its commands name."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self.names = {"dir": str(folder)}
        (folder / "rich.csv").write_text("\n".join([RICH_HEADER, *RICH_ROWS]) + "\n")
        (folder / "header.csv").write_text(RICH_HEADER + "\n")
        (folder / "awards-header.csv").write_text(AWARDS_HEADER + "\n")
        (folder / "rejected.csv").write_text("Title,City,Date\nBad Date,London,2013-02-30\n")
        for command in BUILD:
            if "{toronto}" in command:
                self._find_ids()
            code, said = cli(url, *self.fill(command))
            assert code == 0, (command, said)
        self._find_ids()

    def _find_ids(self) -> None:
        queries = {
            "toronto": "SELECT id FROM screening WHERE city = 'Toronto'",
            "london": "SELECT id FROM screening WHERE city = 'London'",
            "hall": "SELECT id FROM screening WHERE kind = 'special' AND venue_id IS NOT NULL",
            "nomination": "SELECT id FROM nomination WHERE category = 'Feature'",
        }
        with self.engine.connect() as connection:
            for name, query in queries.items():
                found = connection.execute(text(query)).scalar()
                self.names[name] = f"#{found}" if found is not None else "?"

    def fill(self, command: tuple[str, ...]) -> list[str]:
        return [part.format(**self.names) for part in command]


def make_catalogue(request: pytest.FixtureRequest, backend: str, folder: Path) -> Catalogue:
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_server").new_database()
    else:
        url = "sqlite:///" + str(folder / "catalogue.sqlite3")
    return Catalogue(url, folder)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Catalogue]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
        made = make_catalogue(request, request.param, tmp_path_factory.mktemp("nothing"))
        yield made
    made.engine.dispose()


@pytest.mark.parametrize(("command", "says"), NO_OPS)
def test_a_command_with_nothing_to_do_writes_nothing(
    shared: Catalogue, command: tuple[str, ...], says: str
) -> None:
    before = dump(shared.engine)
    code, said = cli(shared.url, *shared.fill(command))
    if command[0] not in {"cancel", "postpone"}:  # refused or not, so long as nothing moves
        assert code == 0, said
    assert says in said
    after = dump(shared.engine)
    assert after["revision"] == before["revision"]
    if command[0] == "import":
        # It may keep fingerprints of rows it read whole (stale ones: a bump at the end
        # of the import that made them changed their stamps), and then has none to keep.
        assert catalogue(after) == catalogue(before)
        cli(shared.url, *shared.fill(command))
        assert dump(shared.engine) == after
    else:
        assert after == before


@pytest.fixture
def fresh(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Catalogue]:
    monkeypatch.setenv("SCREENINGS_TIMEZONE", "Europe/London")
    made = make_catalogue(request, backend, tmp_path)
    yield made
    made.engine.dispose()


def changed_rows(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> set[str]:
    return {name for name in before if name != "revision" and before[name] != after[name]}


def sequences(engine: Engine) -> dict[int, tuple[int, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, sequence, updated_at FROM screening"))
        return {int(r[0]): (int(r[1]), r[2]) for r in rows}


# A change in each command that may have nothing to do, and the tables it changes.
CHANGES = [
    (("import", "{dir}/changed.csv"), {"screening", "screening_base", "row_fingerprint"}),
    (("edit", "film", "Stories We Tell", "--runtime", "109"), {"film", "screening"}),
    (("edit", "film", "Stories We Tell", "--director", "Michael Polley"),
     {"credit", "person", "screening"}),
    # A rename gives the person the slug of the new name, the old one kept (it redirects),
    # and keeps the old name as another name.
    (("edit", "person", "Anita Lee", "--name", "Anita L. Lee"),
     {"person", "screening", "retired_slug", "alias"}),
    (("edit", "festival", "Doc Days", "--website", "https://docdays.example/2"),
     {"festival", "screening"}),
    (("edit", "venue", "Hall", "--address", "2 Paternoster Row"), {"venue", "screening"}),
    (("edit", "screening", "{hall}", "--at", "21:00"), {"screening"}),
    (("edit", "edition", "Doc Days 2013 Spring", "--to", "2013-06-17"),
     {"edition", "screening"}),
    (("edit", "award", "Canadian Screen Awards", "--presenter", "The Academy"), {"award"}),
    (("edit", "nomination", "{nomination}", "--result", "won"), {"nomination"}),
    (("edit", "selection", "Stories We Tell", "--edition", "Doc Days 2013 Spring",
      "--status", "selected"), {"selection", "screening"}),
    (("cancel", "screening", "{hall}"), {"screening"}),
    (("postpone", "screening", "{hall}"), {"screening"}),
    (("feed", "revoke", "press"), {"feed_token"}),
    (("add", "person", "Nick Broomfield"), {"person"}),
    (("merge", "person", "Nick Broomfield", "Sarah Polley"),
     {"person", "nomination", "retired_slug", "alias"}),
    (("remove", "screening", "{hall}", "--yes"), {"screening"}),
]  # fmt: skip


def test_a_command_that_changes_something_writes_it_and_bumps_the_revision_once(
    fresh: Catalogue,
) -> None:
    changed = RICH_ROWS[0].replace("Q&A after", "Q&A with the director")
    Path(fresh.names["dir"], "changed.csv").write_text(f"{RICH_HEADER}\n{changed}\n")
    for command, tables in CHANGES:
        before = dump(fresh.engine)
        code, said = cli(fresh.url, *fresh.fill(command))
        assert code == 0, (command, said)
        after = dump(fresh.engine)
        assert after["revision"][0][1] == before["revision"][0][1] + 1, command
        assert changed_rows(before, after) == tables, command


def test_db_retime_writes_what_moved(fresh: Catalogue) -> None:
    # As if the zone database had changed Europe/London's rules since the instant was
    # stored: the wall time is the truth, the instant follows it.
    hall = int(fresh.names["hall"].lstrip("#"))
    with fresh.engine.begin() as connection:
        stored = connection.execute(
            text("SELECT starts_at_utc FROM screening WHERE id = :id"), {"id": hall}
        ).scalar_one()
        connection.execute(
            text("UPDATE screening SET starts_at_utc = :moved WHERE id = :id"),
            {"moved": _an_hour_later(stored), "id": hall},
        )
    before_sequences = sequences(fresh.engine)
    start = counter(fresh.engine)
    code, said = cli(fresh.url, "db", "retime")
    assert code == 0 and "1 screening(s) moved" in said
    assert counter(fresh.engine) == start + 1
    after_sequences = sequences(fresh.engine)
    assert after_sequences[hall][0] == before_sequences[hall][0] + 1
    assert {k: v for k, v in after_sequences.items() if k != hall} == {
        k: v for k, v in before_sequences.items() if k != hall
    }
    code, said = cli(fresh.url, "db", "retime")  # now nothing moved
    assert code == 0 and "0 screening(s) moved" in said
    assert counter(fresh.engine) == start + 1


def _an_hour_later(stored: Any) -> Any:
    import datetime as dt

    if isinstance(stored, str):  # SQLite hands back the stored text
        moved = dt.datetime.fromisoformat(stored) + dt.timedelta(hours=1)
        return moved.isoformat(sep=" ", timespec="microseconds")
    return stored + dt.timedelta(hours=1)


# --- The mechanism, on its own ------------------------------------------------------------


@pytest.fixture
def engine(backend: str, new_url: Callable[[str], str]) -> Iterator[Engine]:
    made = create_db_engine(new_url(backend))
    upgrade_schema(made)
    with unit_of_work(made) as session:
        session.execute(person.insert().values(name="Ann Shin", name_key="ann shin", slug="a"))
    yield made
    made.dispose()


def test_an_update_that_matches_no_row_writes_nothing(engine: Engine) -> None:
    before = dump(engine)
    with unit_of_work(engine) as session:
        session.execute(update(person).where(person.c.id == -1).values(slug="b"))
        session.execute(person.delete().where(person.c.id == -1))
    assert dump(engine) == before
    with unit_of_work(engine) as session:
        session.execute(update(person).where(person.c.slug == "a").values(slug="b"))
    assert counter(engine) == before["revision"][0][1] + 1
    assert dump(engine)["person"][0][3] == "b"


def test_the_bulk_path_is_seen(engine: Engine) -> None:
    # bulk_insert writes by COPY on PostgreSQL and on the raw connection on SQLite: the
    # session sees neither, the unit of work is told.
    start = counter(engine)
    with unit_of_work(engine) as session:
        rows = [{"name": f"P{n}", "name_key": f"p{n}", "slug": f"p{n}"} for n in range(3)]
        bulk_insert(session, person, rows)
    assert counter(engine) == start + 1
    assert len(dump(engine)["person"]) == 4


def test_a_write_the_session_cannot_see_is_kept_when_said(engine: Engine) -> None:
    start = counter(engine)
    with unit_of_work(engine) as session:
        session.connection().exec_driver_sql("UPDATE person SET slug = 'raw'")
        mark_changed(session)
    assert counter(engine) == start + 1
    assert dump(engine)["person"][0][3] == "raw"
    with unit_of_work(engine) as session:  # textual SQL through the session may write
        session.execute(text("UPDATE person SET slug = 'text'"))
    assert counter(engine) == start + 2
    assert dump(engine)["person"][0][3] == "text"


def test_a_flush_that_sets_what_was_stored_writes_nothing(engine: Engine) -> None:
    from screenings.models import Person

    before = dump(engine)
    with unit_of_work(engine) as session:
        found = session.get(Person, 1)
        assert found is not None
        found.name = "Ann Shin"
        session.flush()
    assert dump(engine) == before
    with unit_of_work(engine) as session:
        found = session.get(Person, 1)
        assert found is not None
        found.name = "Ann Marie Shin"
    after = dump(engine)
    assert after["revision"][0][1] == before["revision"][0][1] + 1
    assert after["person"][0][1] == "Ann Marie Shin" and after["person"] != before["person"]
