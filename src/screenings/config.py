"""Settings: read once at the door (command line, environment), then passed explicitly.

Nothing deeper in the package reads the environment or a global.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from screenings.errors import InvalidInput
from screenings.rules import canonical_zone

ENV_DATABASE_URL = "SCREENINGS_DATABASE_URL"
ENV_TIMEZONE = "SCREENINGS_TIMEZONE"
ENV_FEED_DOMAIN = "SCREENINGS_FEED_DOMAIN"
ENV_DATE_ORDER = "SCREENINGS_DATE_ORDER"
ENV_DEFAULT_LENGTH = "SCREENINGS_DEFAULT_LENGTH"
ENV_BASE_URL = "SCREENINGS_BASE_URL"
DEFAULT_DB_FILENAME = "screenings.sqlite3"
DEFAULT_FEED_DOMAIN = "screenings.localhost"
DEFAULT_DURATION_MINUTES = 90


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where and how it runs."""

    database_url: str
    # Where the URL came from, to name in errors: --db, the variable, or the default.
    database_source: str = "--db"
    default_timezone: str | None = None
    feed_domain: str = DEFAULT_FEED_DOMAIN
    default_duration_minutes: int = DEFAULT_DURATION_MINUTES
    # How numeric dates read: True day/month, False month/day, None not set
    # (then a date that reads both ways is refused, never guessed).
    dayfirst: bool | None = None
    # The feed server's public address (serve --base-url, feed create --base-url).
    base_url: str | None = None
    # --immutable, or ?immutable=1 in a SQLite URL: the user says nothing writes to the
    # file while it is read; never guessed.
    immutable: bool = False


def default_database_path() -> Path:
    """The SQLite file used when neither ``--db`` nor the environment names one."""
    from platformdirs import user_data_path

    return user_data_path("screenings", appauthor=False) / DEFAULT_DB_FILENAME


def database_url_from(value: str, *, source: str = "--db") -> str:
    """A SQLAlchemy URL from what a user typed: a URL, or a path to a SQLite file.

    ``postgresql://`` and ``postgres://`` mean the psycopg 3 driver, the only
    PostgreSQL driver the project supports. A path is made absolute, and names that
    very file (``%`` and ``?`` escaped). A SQLite URL must name a file, as SQLAlchemy
    reads it (percent-decoded): an in-memory database (``sqlite://``, ``:memory:``,
    ``sqlite:///%3Amemory%3A``) or an empty path (``sqlite:///``, as
    ``sqlite:///$UNSET`` gives) would be a new, empty catalogue, lost when the
    command ends, whose exports would replace real feeds with empty ones: it is
    ``InvalidInput`` naming ``source`` and the URL. Its only parameter is
    ``?immutable=1`` (see ``immutable_from``). A file's name the system cannot look up
    (``_check_file_name``) is refused here; whether the URL can be used otherwise is for
    ``screenings.db.create_db_engine`` to say.
    """
    value = value.strip()
    if not value:
        raise InvalidInput(f"{source}: empty; expected a path to a SQLite file or a database URL")
    if "://" not in value:
        if value == ":memory:":
            raise InvalidInput(_in_memory(source, value))
        # Escaped where a URL's path is read otherwise: SQLAlchemy decodes %XX and ends
        # the path at '?', and the file named must be the file opened.
        try:
            path = str(Path(value).expanduser().resolve())
        except (RuntimeError, OSError) as exc:  # a loop of links: RuntimeError before 3.13
            raise InvalidInput(f"{source}: cannot use {value}: {_why(exc)}") from None
        _check_file_name(path, source)
        return "sqlite:///" + path.replace("%", "%25").replace("?", "%3F")
    scheme, rest = value.split("://", 1)
    if scheme.split("+", 1)[0].lower() == "sqlite":
        _check_sqlite_url(value, rest, source)
        return value
    authority = rest.split("/", 1)[0]
    if authority.count("@") > 1:
        raise InvalidInput(
            f"{source}: the URL has more than one '@' before the host; "
            "percent-encode an '@' in the password as %40"
        )
    if scheme in {"postgresql", "postgres"}:
        return "postgresql+psycopg://" + rest
    return value


SQLITE_TRUE = frozenset({"1", "yes", "true", "on"})
SQLITE_FALSE = frozenset({"0", "no", "false", "off"})


def _in_memory(source: str, value: str) -> str:
    return (
        f"{source}: {value!r} is an in-memory database: a new, empty catalogue, lost when "
        "the command ends; expected a path to a SQLite file or sqlite:///PATH"
    )


def _check_sqlite_url(value: str, rest: str, source: str) -> None:
    # What SQLAlchemy will open is the URL's path percent-decoded (sqlite:///%3Amemory%3A is
    # ":memory:"), so the rules are checked on that, never on the text as typed.
    from sqlalchemy.engine import make_url  # not loaded by --help
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(value)
    except (ArgumentError, ValueError):
        raise InvalidInput(f"{source}: cannot read {value!r} as a database URL") from None
    location, _, query = rest.partition("?")
    database = parsed.database
    if location == "":  # sqlite://: no path at all
        raise InvalidInput(_in_memory(source, value))
    if parsed.host or parsed.username or parsed.password or parsed.port:
        raise InvalidInput(
            f"{source}: {value!r} names a host; expected sqlite:///PATH, "
            "or sqlite:////PATH for an absolute path"
        )
    if database == ":memory:":
        raise InvalidInput(_in_memory(source, value))
    if database is None or not database.strip():
        raise InvalidInput(
            f"{source}: {value!r} names no file (an unset variable?); expected sqlite:///PATH"
        )
    if "\x00" in database:
        raise InvalidInput(f"{source}: {value!r}: a file name cannot hold a NUL character (%00)")
    for key, setting in parse_qsl(query, keep_blank_values=True):
        if key != "immutable":
            raise InvalidInput(
                f"{source}: {value!r}: the parameter {key!r} is not supported; "
                "a SQLite URL takes only ?immutable=1"
            )
        if setting.lower() not in SQLITE_TRUE | SQLITE_FALSE:
            raise InvalidInput(f"{source}: {value!r}: immutable: expected 1 or 0, got {setting!r}")
    _check_file_name(database, source)


def _check_file_name(path: str, source: str) -> None:
    """A SQLite file's name that the system cannot even look up (too long, a loop of
    links, a folder this user cannot search) is ``InvalidInput`` naming it, here, not an
    error from whichever look at the file comes first. A file not there is fine, unless
    one of the names of it and of its folders not there is longer than the file system
    takes (the folders would be made, then the file refused)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        _check_new_names(Path(path), source)
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot use {path}: {_why(exc)}") from None


def nearest_there(path: Path) -> Path:
    """``path``, or the nearest of its parents that is there: where the folders of a new
    catalogue would be made from (``_check_new_names``, ``db.sqlite_write_problem``,
    ``migrate._folder_refusal``)."""
    there = path
    while not there.exists() and there != there.parent:
        there = there.parent
    return there


def _check_new_names(path: Path, source: str) -> None:
    there = nearest_there(path.parent)
    try:
        longest = os.pathconf(there, "PC_NAME_MAX")
    except (OSError, ValueError):  # not told: the usual limit
        longest = 255
    for part in path.relative_to(there).parts:
        if len(os.fsencode(part)) > longest:
            raise InvalidInput(
                f"{source}: cannot use {path}: {part[:40]}... is longer than the "
                f"{longest} bytes a name may have there"
            )


def _why(exc: Exception) -> str:
    """Why a file's name cannot be looked up, in words after "cannot use PATH: "."""
    if isinstance(exc, OSError):
        return "a loop of symbolic links" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
    if "loop" in str(exc).lower():  # pathlib's RuntimeError before Python 3.13
        return "a loop of symbolic links"
    return str(exc).rstrip(".")  # "Could not determine home directory" (~nobody/...)


def immutable_from(url: str) -> tuple[str, bool]:
    """``url`` without its ``immutable`` parameter, and whether it was set (a SQLite URL
    checked by ``database_url_from``); any other URL comes back as it is, with False."""
    base, sep, query = url.partition("?")
    if not sep or not url.lower().startswith("sqlite"):
        return url, False
    flags = [
        setting.lower() in SQLITE_TRUE for key, setting in parse_qsl(query) if key == "immutable"
    ]
    return base, any(flags)


def load_settings(
    db: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    dayfirst: bool | None = None,
    immutable: bool = False,
) -> Settings:
    """Settings from the options (``--db``, ``--dayfirst/--monthfirst``, ``--immutable``),
    else the environment, else the defaults. Reads only; creates nothing.

    ``immutable`` (or ``?immutable=1`` in the URL) is for a SQLite file only: with
    PostgreSQL it is ``InvalidInput``."""
    env = os.environ if environ is None else environ
    if db is not None:
        url, source = database_url_from(db, source="--db"), "--db"
    elif env.get(ENV_DATABASE_URL) is not None:
        source = ENV_DATABASE_URL
        url = database_url_from(env[ENV_DATABASE_URL], source=source)
    else:
        url, source = "sqlite:///" + str(default_database_path()), "the default database"
    url, in_url = immutable_from(url)
    if immutable and not url.lower().startswith("sqlite"):
        raise InvalidInput("--immutable: only for a SQLite file; the database is not one")
    zone = env.get(ENV_TIMEZONE) or None
    if zone is not None:  # in the zone rule's spelling, as every zone the catalogue keeps
        zone = canonical_zone(zone, what=ENV_TIMEZONE)
    if dayfirst is None and env.get(ENV_DATE_ORDER):
        order = env[ENV_DATE_ORDER].strip().lower()
        if order not in {"dayfirst", "monthfirst"}:
            raise InvalidInput(
                f"{ENV_DATE_ORDER}: expected dayfirst or monthfirst, got {env[ENV_DATE_ORDER]!r}"
            )
        dayfirst = order == "dayfirst"
    length = env.get(ENV_DEFAULT_LENGTH)
    if length is not None and not (length.strip().isdigit() and int(length) > 0):
        raise InvalidInput(f"{ENV_DEFAULT_LENGTH}: expected a number of minutes, got {length!r}")
    return Settings(
        database_url=url,
        database_source=source,
        default_timezone=zone,
        feed_domain=env.get(ENV_FEED_DOMAIN) or DEFAULT_FEED_DOMAIN,
        default_duration_minutes=int(length) if length else DEFAULT_DURATION_MINUTES,
        dayfirst=dayfirst,
        base_url=(env.get(ENV_BASE_URL) or "").strip() or None,
        immutable=immutable or in_url,
    )
