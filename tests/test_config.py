"""Where the data lives: --db, then SCREENINGS_DATABASE_URL, then the user data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from screenings.config import database_url_from, load_settings
from screenings.errors import InvalidInput


def test_db_option_beats_the_environment(tmp_path: Path) -> None:
    env = {"SCREENINGS_DATABASE_URL": "sqlite:////elsewhere.sqlite3"}
    settings = load_settings(str(tmp_path / "mine.sqlite3"), env)
    assert settings.database_url == f"sqlite:///{tmp_path / 'mine.sqlite3'}"


def test_environment_beats_the_default() -> None:
    env = {"SCREENINGS_DATABASE_URL": "postgresql://ann@db.example/fest"}
    assert load_settings(None, env).database_url == "postgresql+psycopg://ann@db.example/fest"


def test_the_default_is_a_file_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = load_settings(None, {})
    assert (
        settings.database_url
        == f"sqlite:///{tmp_path / 'data' / 'screenings' / 'screenings.sqlite3'}"
    )
    assert not (tmp_path / "data").exists()  # reading settings creates nothing


def test_a_relative_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url_from("demo/x.sqlite3") == f"sqlite:///{tmp_path / 'demo' / 'x.sqlite3'}"


def test_a_bad_default_zone_names_the_variable() -> None:
    with pytest.raises(InvalidInput, match="SCREENINGS_TIMEZONE: unknown time zone 'BST'"):
        load_settings("x.sqlite3", {"SCREENINGS_TIMEZONE": "BST"})


@pytest.mark.parametrize(
    ("zone", "kept"),
    [("US/Eastern", "America/New_York"), ("europe/paris", "Europe/Paris"),
     ("Europe/Amsterdam", "Europe/Amsterdam")],
)  # fmt: skip
def test_the_default_zone_follows_the_zone_rule(zone: str, kept: str) -> None:
    # A lineup's rows without a zone take it, and are stored as every zone is.
    assert load_settings("x.sqlite3", {"SCREENINGS_TIMEZONE": zone}).default_timezone == kept


@pytest.mark.parametrize("zone", ["right/Europe/London", "posix/Europe/London", "Factory"])
def test_a_default_zone_the_zone_rule_refuses_names_the_variable(zone: str) -> None:
    with pytest.raises(InvalidInput, match=f"SCREENINGS_TIMEZONE: unknown time zone '{zone}'"):
        load_settings("x.sqlite3", {"SCREENINGS_TIMEZONE": zone})


def test_settings_are_read_from_the_given_environment_only() -> None:
    env = {"SCREENINGS_TIMEZONE": "Europe/London", "SCREENINGS_FEED_DOMAIN": "feeds.example"}
    settings = load_settings("x.sqlite3", env)
    assert settings.default_timezone == "Europe/London"
    assert settings.feed_domain == "feeds.example"
    assert settings.default_duration_minutes == 90


def test_a_file_name_the_system_cannot_look_up_is_one_line(tmp_path: Path) -> None:
    """Too long a name (there, or in folders not there yet), a loop of links, a home that
    is nobody's, as a path or in a URL: refused naming it, not a traceback from the first
    look at the file (as before), nor folders made for a file then refused."""
    name = "x" * 300 + ".sqlite3"
    long, deep = tmp_path / name, tmp_path / "new" / name
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    too_long = f"{'x' * 40}... is longer than the 255 bytes a name may have there"
    for value, said in (
        (str(long), f"--db: cannot use {long}: File name too long"),
        (f"sqlite:///{long}", f"--db: cannot use {long}: File name too long"),
        (str(deep), f"--db: cannot use {deep}: {too_long}"),
        (f"sqlite:///{deep}", f"--db: cannot use {deep}: {too_long}"),
        (str(loop), f"--db: cannot use {loop}: a loop of symbolic links"),
        (f"sqlite:///{loop}", f"--db: cannot use {loop}: a loop of symbolic links"),
        ("~no-such-user-here/c.sqlite3",
         "--db: cannot use ~no-such-user-here/c.sqlite3: Could not determine home directory"),
    ):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            database_url_from(value)
        assert str(refused.value) == said, value
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop1", "loop2"]
    # A file not there, in folders not there, is a file a writing command may create.
    new = tmp_path / "a" / "b" / "new.sqlite3"
    assert database_url_from(str(new)) == f"sqlite:///{new}"
