"""A file none of whose rows changed since its last import is said unchanged without the
importer (``services/skipping.py``: every row's fingerprint asked for at once, before
the ORM and the date-order pass). It must say what the whole way says, and go the whole
way whenever a row might read otherwise. On SQLite and PostgreSQL, through the command
line, with real CSV files; each step on two catalogues, one with ``--read-all``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import screenings.services.lineup as lineup_service
from tests.test_import import ROWS, write_csv
from tests.test_unread_rows import Twins, twins  # noqa: F401 -- the fixture

pytestmark = pytest.mark.usefixtures("twins")


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the importer was given (the whole way), in order."""
    given: list[str] = []
    whole_way = lineup_service.import_lineup

    def counted(session: Any, settings: Any, parsed: Any, *args: Any) -> Any:
        given.append(parsed.name)
        return whole_way(session, settings, parsed, *args)

    monkeypatch.setattr(lineup_service, "import_lineup", counted)
    return given


def test_an_unchanged_file_is_said_unchanged_without_the_importer(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    path = str(write_csv(tmp_path / "lineup.csv", [list(r) for r in ROWS]))
    assert "4 created" in twins.both("import", path)[1]
    imports.clear()
    code, out, err = twins.both("import", path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path}: 4 rows; screenings: 0 created, 0 updated, 0 moved, 4 unchanged, "
        "0 cancelled, 0 rejected",
        "  selections: 3 (0 new, 0 updated)",
    ]
    assert imports == [path], "only the catalogue with --read-all reads the file"
    # A hand edit since: that row goes the whole way, so the file does.
    assert twins.both("edit", "screening", "2", "--at", "14:30")[0] == 0
    imports.clear()
    assert "3 unchanged, 1 kept (edited by hand)" in twins.both("import", path)[1]
    assert imports == [path, path]
    # An option that changes what a row does: the whole way.
    imports.clear()
    twins.both("import", path, "--sync")
    assert imports == [path, path]


def test_a_file_whose_dates_no_longer_settle_their_order_is_refused_as_before(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    """Its rows were read day first because one date could only be: without that row,
    the same rows, byte for byte, read no way at all."""
    rows = [list(r) for r in ROWS]
    rows[0][9], rows[1][9] = "14/06/2013", "05/06/2013"
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    assert "4 created" in twins.both("import", path)[1]
    path = str(write_csv(tmp_path / "lineup.csv", rows[1:]))
    imports.clear()
    code, _out, err = twins.both("import", path)
    assert code == 2
    assert "no date in the file settles it" in err
    assert imports == [], "refused while reading, before the importer"


@pytest.mark.parametrize("change", ["a film renamed", "a venue of that name elsewhere"])
def test_a_row_that_may_read_otherwise_sends_the_file_the_whole_way(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
    change: str,
) -> None:
    path = str(write_csv(tmp_path / "lineup.csv", [list(r) for r in ROWS]))
    twins.both("import", path)
    if change == "a film renamed":
        assert twins.both("edit", "film", "Mothers", "--title", "Mothers (2012)")[0] == 0
    else:
        assert twins.both("add", "venue", "Crucible Theatre", "--city", "Leeds",
                          "--timezone", "Europe/London")[0] == 0  # fmt: skip
    imports.clear()
    twins.both("import", path)
    assert imports == [path, path]


def test_a_row_twice_sends_the_file_the_whole_way(
    twins: Twins,  # noqa: F811
    tmp_path: Path,
    imports: list[str],
) -> None:
    """The second is a duplicate of the first, as the importer says (in its words)."""
    rows = [list(r) for r in ROWS]
    path = str(write_csv(tmp_path / "lineup.csv", rows))
    twins.call(twins.urls[0], "import", path)
    path = str(write_csv(tmp_path / "lineup.csv", [*rows, rows[0]]))
    imports.clear()
    code, _out, err = twins.call(twins.urls[0], "import", path)
    assert code == 2
    assert f"{path}:6: column 'ID': 'S1': the same" in err
    assert imports == [path]
