"""The feed server: request -> ScreeningQuery -> exporter -> response. Read-only.

A WSGI application (``application``, or ``FeedApp(settings)``) that any WSGI
server can run; ``screenings serve`` runs it under gunicorn. Routes:

- ``/`` and ``/{festivals|editions|venues|films|people}/{slug}``: the schedule pages
  (``services.pages`` -> ``exporters.html``), with "Subscribe" (``webcal://``) and
  "Download .ics" links to the feeds below; query parameters ignored;

- ``/feeds/all.ics``; ``/feeds/{festivals|editions|venues|films|people}/{slug}.ics``,
  each also ``.json`` (the output contract of ``list``); the filters of ``list``
  as query parameters (``from``, ``to``, ``on``, ``in``, ``section``, ``kind``,
  ``status``, ``city``, ``country``, ``audience``, ``cancelled=omit``; ``role``
  for people);
- ``/feeds/secret/{token}.ics`` (or ``.json``): a secret feed (``screenings feed``),
  ``Cache-Control: private, no-store``;
- ``/feeds`` (a JSON list of every feed that may be named in public);
- ``/healthz`` for load balancers.

Private screenings never appear outside a secret feed that includes them. Every
feed answer is cached per process, keyed by the request and the catalogue's
version (its ``revision`` row): a request costs one cheap query when nothing
changed, and a 304 or a cached 200 no rendering. ETags are hashes of the bytes,
one per representation (gzip or not).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import sys
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from screenings import logsafe, rules
from screenings.config import Settings, load_settings
from screenings.db import REVISION_SQL, revision_version
from screenings.errors import (
    DatabaseUnavailable,
    Gone,
    InvalidInput,
    Merged,
    NotFound,
    ScreeningsError,
)
from screenings.filters import WEB, filters_for
from screenings.outputs import FORMATS, LINKED
from screenings.records import CONTRACT_VERSION, CONTRACTS

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from screenings.query import ScreeningQuery

StartResponse = Callable[..., Any]

# Short enough that a cancellation reaches a shared cache within five minutes;
# after that the validators (ETag, Last-Modified) make a refresh cost a 304.
CACHE_CONTROL = "public, max-age=300"
# A secret feed is for its holder only: no shared cache keeps it, no browser stores it.
SECRET_CACHE_CONTROL = "private, no-store"
# The registered formats a feed is served in (``outputs.FORMATS``): a calendar and its
# screenings in the output contract. CSV is for files (``export``), not subscriptions.
SERVED = ("ics", "json", "frab-xml", "frab-json")
_BY_EXTENSION = {FORMATS[name].extension: name for name in SERVED}
_EXTENSION = "|".join(re.escape(extension) for extension in _BY_EXTENSION)
# A plan's secret feed is a page too (``.html``): the plan, for its holder.
_SECRET = re.compile(rf"^/feeds/secret/(?P<token>[^/]*?)\.(?P<format>{_EXTENSION}|html)\Z")
CACHED_RESPONSES = 512
CACHED_BYTES = 128 * 1024 * 1024  # per worker, both representations counted
KINDS = {
    "festivals": "festival",
    "editions": "edition",
    "venues": "venue",
    "films": "film",
    "people": "person",
    "programmes": "programme",  # a page; no feed of its own (its films' and people's have it)
}
_ROUTE = re.compile(
    r"^/feeds/(?:(?P<all>all)|(?P<kind>festivals|editions|venues|films|people)/(?P<slug>[a-z0-9-]+))"
    rf"\.(?P<format>{_EXTENSION})\Z"
)
# Query parameters: the filters the feed server offers (``filters.FILTERS``), by name,
# and its own two; the repeatable ones.
PARAMETERS = (*(f.name for f in filters_for(WEB)), "cancelled", "role", "contract")
REPEATABLE = {f.name for f in filters_for(WEB) if f.type is list}
HTML = "text/html; charset=utf-8"  # a page's: the feeds' are their formats' (``outputs``)
# The slug in a page's or a feed's path, for a redirect to another.
_LAST_SLUG = re.compile(rf"/[a-z0-9-]+(?=(?:\.(?:{_EXTENSION}))?\Z)")
# A screening's own address, for good: sent on to the page that shows it.
_SCREENING = re.compile(r"^/screenings/(?P<id>[1-9][0-9]{0,17})\Z")
# The schedule pages: ``/`` and one page per public record.
_PAGE = re.compile(
    r"^/(?P<kind>festivals|editions|venues|films|people|programmes)/(?P<slug>[a-z0-9-]+)\Z"
)
# A page of the home page's index by letter: /a-z/films/t, /a-z/films/t/2.
_LETTER = re.compile(
    r"^/a-z/(?P<kind>festivals|venues|films|people)/(?P<letter>[a-z]|0-9)(?:/(?P<page>[2-9]|[1-9][0-9]{1,5}))?\Z"
)
# A Host header as a client may send it: a name or an address, and a port.
_HOST = re.compile(
    r"(?:[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?\Z"
)
# The bytes a process renders are no older than the process (a new version may render
# the same catalogue differently): Last-Modified is never earlier than this.
STARTED = dt.datetime.now(dt.UTC)


class _Feed(NamedTuple):
    """A public feed asked for: its record (none for all.ics), its format, its checked
    parameters, and the site's address where the format links to pages."""

    kind: str | None
    slug: str | None
    format: str
    params: tuple[tuple[str, tuple[str, ...]], ...]
    base: str | None


class HTTPError(Exception):
    def __init__(self, status: str, message: str, headers: Iterable[tuple[str, str]] = ()):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, list(headers)


@dataclass(frozen=True)
class Rendered:
    """One response body in both representations, with validators.

    ``version`` is what the catalogue's revision row said when it was rendered
    (its counter, and when that row was made: a new database file is another
    catalogue). ``changed`` is the exact instant from which these bytes are what
    the worker serves: no earlier than their last change.
    """

    version: tuple[str, str, str]
    content_type: str
    body: bytes
    zipped: bytes
    etag: str
    zipped_etag: str
    changed: dt.datetime
    cache_control: str = CACHE_CONTROL
    extra: tuple[tuple[str, str], ...] = ()  # a page's Content-Security-Policy, ...

    def headers(self, zipped: bool, now: dt.datetime) -> list[tuple[str, str]]:
        """The headers of a 200 of this body (``zipped``: its gzip representation).

        Last-Modified has whole seconds: it is sent only once the change is a second
        old, so that two changes within one second never share it.
        """
        headers = [
            ("Content-Type", self.content_type),
            ("ETag", self.zipped_etag if zipped else self.etag),
            ("Cache-Control", self.cache_control),
            ("Vary", "Accept-Encoding"),
        ]
        if _settled(self.changed, now):
            headers.insert(2, ("Last-Modified", _http_date(self.changed)))
        headers.extend(self.extra)
        return headers


def _settled(changed: dt.datetime, now: dt.datetime) -> bool:
    return now - changed >= dt.timedelta(seconds=1)


@lru_cache(maxsize=1024)
def _http_date(instant: dt.datetime) -> str:
    return format_datetime(instant.replace(microsecond=0), usegmt=True)


class FeedApp:
    """The WSGI application. Its engine is made on the first request, in the process
    that serves it (after a pre-forking server has forked)."""

    def __init__(
        self,
        settings: Settings,
        base_url: str = "",
        access_log: bool = False,
        threads: int = 8,
    ) -> None:
        self.settings = settings
        self.access_log = access_log
        # A request holds one connection at a time: one per thread, and a spare.
        self.pool_size = threads + 1
        # For tests that must see which worker answered (SCREENINGS_WORKER_HEADER=1).
        self.worker_header = os.environ.get("SCREENINGS_WORKER_HEADER") == "1"
        self._identity: tuple[int, int] | None = None
        self.base_url = base_url.rstrip("/")
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Rendered] = OrderedDict()
        self._bytes = 0
        self._db_file: Path | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from screenings.db import sqlite_file
                    from screenings.migrate import Door, open_catalogue

                    settings = self.settings
                    self._db_file = sqlite_file(settings.database_url)
                    try:
                        engine, _ = open_catalogue(
                            settings.database_url,
                            Door.SERVE,
                            what=settings.database_source,
                            immutable=settings.immutable,
                            pool_size=self.pool_size,
                        )
                    except ScreeningsError as error:
                        # What the operator set up, not what the client asked: a 503, and
                        # the message every door gives in the log (never to the client).
                        raise DatabaseUnavailable(error.message) from None
                    self._identity = self._file_identity()
                    self._engine = engine
        return self._engine

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if method not in {"GET", "HEAD"}:
                raise HTTPError(
                    "405 Method Not Allowed", "only GET and HEAD", [("Allow", "GET, HEAD")]
                )
            status, headers, body = self._respond(environ)
        except Exception as error:  # every failure is an answer (_failed), a bug a 500
            status, headers, body = self._failed(environ, error)
        if not status.startswith("304"):  # a 304 has the headers of the 200, not its length
            headers.append(("Content-Length", str(len(body))))
        if not any(name == "Cache-Control" for name, _ in headers):
            headers.append(("Cache-Control", "no-store"))  # errors, health: never kept
        headers.append(("X-Content-Type-Options", "nosniff"))
        if self.worker_header:
            headers.append(("X-Screenings-Worker", str(os.getpid())))
        start_response(status, headers)
        if self.access_log:
            self._log(environ, method, status, len(body))
        return [] if method == "HEAD" else [body]

    def _failed(
        self, environ: dict[str, Any], error: Exception
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """The answer to a request that failed: what the client may learn, in one line."""
        text = [("Content-Type", "text/plain; charset=utf-8")]
        if isinstance(error, HTTPError):
            return error.status, [*error.headers, *text], (error.message + "\n").encode()
        if isinstance(error, DatabaseUnavailable):
            # The operator's log has where and why; a client learns only that it failed.
            print(f"screenings: {error.message}", file=environ.get("wsgi.errors", sys.stderr))
            body = b"the catalogue is unavailable\n"
            return "503 Service Unavailable", [*text, ("Retry-After", "30")], body
        if isinstance(error, Merged):  # a merged duplicate's address: the record kept's
            location = self._moved(environ, error.successor)
            moved = [*text, ("Location", location)]
            return "301 Moved Permanently", moved, (location + "\n").encode()
        if isinstance(error, ScreeningsError):
            status = "404 Not Found" if isinstance(error, NotFound) else "400 Bad Request"
            if isinstance(error, Gone):
                status = "410 Gone"
            # A field is named as the address names it: a parameter has the field's name.
            return status, text, (error.message + "\n").encode()
        # A bug: logged for the operator, never shown to the client.
        print(traceback.format_exc(), file=environ.get("wsgi.errors", sys.stderr))
        return "500 Internal Server Error", text, b"internal error\n"

    def _moved(self, environ: dict[str, Any], successor: str) -> str:
        """The path of the same page or feed of the record ``successor`` names, with the
        request's parameters, under where the application is mounted."""
        path = environ.get("PATH_INFO", "") or "/"
        root = urlsplit(self.base_url).path if self.base_url else environ.get("SCRIPT_NAME", "")
        moved = _LAST_SLUG.sub(f"/{successor}", path, count=1)
        query = environ.get("QUERY_STRING", "")
        return root.rstrip("/") + moved + (f"?{query}" if query else "")

    def _log(self, environ: dict[str, Any], method: str, status: str, size: int) -> None:
        """One line per request on stdout, whatever the request holds: every field
        escaped and a secret feed's token never written (``screenings.logsafe``)."""
        path = logsafe.path(environ.get("PATH_INFO", ""))
        query = logsafe.quoted(environ.get("QUERY_STRING", ""))
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        client, method = logsafe.field(environ.get("REMOTE_ADDR", "-")), logsafe.quoted(method)
        line = f'{when} {client} "{method} {path}'
        print(f'{line}{"?" + query if query else ""}" {status[:3]} {size}', flush=True)

    # --- Routing -------------------------------------------------------------------

    def _respond(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        # PEP 3333 hands the path over as Latin-1; it was UTF-8 on the wire.
        path = (environ.get("PATH_INFO", "") or "/").encode("latin-1").decode("utf-8", "replace")
        query_string = environ.get("QUERY_STRING", "")
        if path in {"/healthz", "/feeds", "/feeds/"} and query_string:
            raise InvalidInput(f"{path} takes no parameters")
        if path == "/healthz":
            self._revision()
            return "200 OK", [("Content-Type", "text/plain; charset=utf-8")], b"ok\n"
        if path == "/favicon.ico":  # asked for by every browser, whatever the page says
            from screenings.exporters.html import favicon

            icon = [("Content-Type", "image/x-icon"), ("Cache-Control", "public, max-age=86400")]
            return "200 OK", icon, favicon()
        if path in {"/feeds", "/feeds/"}:
            base = self.base_url or _request_base(environ)
            return self._cached(
                environ, ("index", base), lambda session: self._render_index(session, base)
            )
        if (screening := _SCREENING.match(path)) is not None:
            return self._screening(environ, int(screening["id"]))
        if not path.startswith("/feeds/"):
            return self._page(environ, path)
        secret = _SECRET.match(path)
        if secret is not None:
            fmt = _BY_EXTENSION.get(secret["format"], secret["format"])  # or "html"
            return self._secret(environ, secret["token"], fmt, query_string)
        route = _ROUTE.match(path)
        if route is None:
            raise HTTPError("404 Not Found", f"no such page: {_redacted(path)}")
        params = _parameters(query_string, route["kind"])
        fmt = _BY_EXTENSION[route["format"]]
        # A frab schedule links each event to its page: the address is part of its bytes.
        site = (self.base_url or _request_base(environ)) if fmt in LINKED else None
        feed = _Feed(route["kind"], route["slug"], fmt, params, site)
        # Relative dates ("this week") read against today: part of what is cached.
        return self._cached(
            environ, (*feed, dt.date.today()), lambda session: self._render_feed(session, feed)
        )

    def _screening(
        self, environ: dict[str, Any], screening_id: int
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """``/screenings/ID``: 302 to the page that shows it (``published.screening_page``),
        for as long as it is public; 404 otherwise. Query parameters are ignored, as a
        page's are."""
        from screenings.db import unit_of_work
        from screenings.services.published import screening_page

        self._revision()  # a replaced SQLite file is noticed first, as for every request
        with unit_of_work(self.engine, write=False) as session:
            path = screening_page(session, screening_id)
        root = urlsplit(self.base_url).path if self.base_url else environ.get("SCRIPT_NAME", "")
        location = root.rstrip("/") + path
        headers = [("Location", location), ("Cache-Control", CACHE_CONTROL)]
        return "302 Found", headers, (location + "\n").encode()

    def _page(self, environ: dict[str, Any], path: str) -> tuple[str, list[tuple[str, str]], bytes]:
        """A schedule page. Its query parameters are ignored (a link shared in a message
        gains tracking ones); ``/films/x/`` is sent on to ``/films/x``."""
        base = self.base_url or _request_base(environ)
        # Links within the site are paths: under --base-url's path, else where the WSGI
        # server mounted the application.
        root = urlsplit(self.base_url).path if self.base_url else environ.get("SCRIPT_NAME", "")
        root = root.rstrip("/")
        trimmed = path.rstrip("/")
        if trimmed != path and _PAGE.match(trimmed):
            location = root + trimmed
            raise HTTPError("301 Moved Permanently", location, [("Location", location)])
        kind, slug = "home", ""
        if (letter := _LETTER.match(path)) is not None:
            # The slug of a letter's page: its kind, letter and page number.
            kind = "letter"
            slug = f"{KINDS[letter['kind']]}/{letter['letter']}/{int(letter['page'] or 1)}"
        elif path != "/":
            route = _PAGE.match(path)
            if route is None:
                raise HTTPError("404 Not Found", f"no such page: {_redacted(path)}")
            kind, slug = KINDS[route["kind"]], route["slug"]
        return self._cached(
            environ,
            ("page", kind, slug, base, root),
            lambda session: self._render_page(session, kind, slug, base, root),
            extra=_page_headers(),
        )

    def _secret(
        self, environ: dict[str, Any], token: str, fmt: str, query_string: str
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        from screenings.services.secret_feeds import token_hash

        if query_string:
            raise InvalidInput("a secret feed takes no parameters: its filters are its own")
        # Cached by the token's hash (never the token); a revocation moves the revision.
        base = (self.base_url or _request_base(environ)) if fmt in LINKED else None
        key = ("secret", token_hash(token), fmt, dt.date.today(), base)
        return self._cached(
            environ,
            key,
            lambda session: self._render_secret(session, token, fmt, environ),
            cache_control=SECRET_CACHE_CONTROL,
        )

    def _cached(
        self,
        environ: dict[str, Any],
        key: tuple[Any, ...],
        render: Callable[[Session], Any],
        cache_control: str = CACHE_CONTROL,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        version = self._revision()
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
        if found is None or found.version != version:
            found = self._render(key, render, found, cache_control, extra)
        return _answer(environ, found)

    def _render(
        self,
        key: tuple[Any, ...],
        render: Callable[[Session], Any],
        previous: Rendered | None,
        cache_control: str,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Rendered:
        from screenings.db import unit_of_work

        with unit_of_work(self.engine, write=False) as session:
            # The counter and the feed come from one snapshot (REPEATABLE READ on
            # PostgreSQL; one transaction on SQLite).
            version, changed_at = _read_revision(session)
            # The media type and the bytes, and for a feed any headers of its own.
            content_type, body, *own = render(session)
        etag = hashlib.sha256(body).hexdigest()[:32]
        changed = max(changed_at, STARTED)
        if previous is not None and previous.etag == f'"{etag}"':
            changed = previous.changed  # the same bytes: not modified since
        rendered = Rendered(
            version=version,
            content_type=content_type,
            body=body,
            zipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag=f'"{etag}"',
            zipped_etag=f'"{etag}-gzip"',
            changed=changed,
            cache_control=cache_control,
            extra=extra + (own[0] if own else ()),
        )
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body) + len(old.zipped)
            self._cache[key] = rendered
            self._bytes += len(rendered.body) + len(rendered.zipped)
            # The least recently used go first; the one just made always stays.
            while len(self._cache) > 1 and (
                len(self._cache) > CACHED_RESPONSES or self._bytes > CACHED_BYTES
            ):
                _, dropped = self._cache.popitem(last=False)
                self._bytes -= len(dropped.body) + len(dropped.zipped)
        return rendered

    def _revision(self) -> tuple[str, str, str]:
        """The catalogue's version (``db.REVISION_SQL``): one query on one row, on a
        pooled connection given back at once, so that a 304 or a cached 200 costs
        nothing more and a request holds at most one connection at a time.

        A SQLite file replaced at its path (a new catalogue, a restored backup) is
        noticed by its inode: the pool's connections to the old file are dropped
        before anything is read."""
        engine = self.engine
        identity = self._file_identity()
        if identity != self._identity:
            with self._lock:
                if identity != self._identity:
                    engine.dispose()  # the pool's connections to the old file
                    self._identity = identity
        try:
            connection = engine.raw_connection()
        except Exception:
            return self._revision_checked()  # the error said the usual way
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(REVISION_SQL)
                row = cursor.fetchone()
            finally:
                cursor.close()
            connection.rollback()  # no snapshot held between requests
        except Exception:
            # A connection lost (a restarted server), or no such table: dropped, and
            # the error said the usual way, through the engine.
            with contextlib.suppress(Exception):
                connection.invalidate()
            return self._revision_checked()
        finally:
            connection.close()  # back to the pool
        assert row is not None, "the revision table has its one row (migration 0002)"
        return revision_version(row)

    def _file_identity(self) -> tuple[int, int] | None:
        """The SQLite file's device and inode (None on PostgreSQL)."""
        if self._db_file is None:
            return None
        try:
            status = self._db_file.stat()
        except OSError:
            raise DatabaseUnavailable(f"no catalogue at {self._db_file}") from None
        return status.st_dev, status.st_ino

    def _revision_checked(self) -> tuple[str, str, str]:
        from screenings.db import database_errors

        with database_errors(self.engine), self.engine.connect() as connection:
            row = connection.exec_driver_sql(REVISION_SQL).one()
            connection.rollback()
        return revision_version(row)

    # --- Rendering -----------------------------------------------------------------

    def _render_feed(
        self, session: Session, feed: _Feed
    ) -> tuple[str, bytes, tuple[tuple[str, str], ...]]:
        kind, slug, fmt, params, base = feed
        given = dict(params)
        cancelled = _check_choice("cancelled", _one(given, "cancelled") or "mark", ("mark", "omit"))
        contract = _one(given, "contract")
        if contract is not None and fmt != "json":
            raise InvalidInput("only for .json", field="contract")
        choices = tuple(str(n) for n in CONTRACTS)
        version = int(_check_choice("contract", contract or str(CONTRACT_VERSION), choices))
        query = self._query(session, kind, slug, given)
        return self._render_query(session, query, cancelled, fmt, contract=version, base=base)

    def _render_query(  # noqa: PLR0913 -- a query and how to render it
        self,
        session: Session,
        query: ScreeningQuery,
        cancelled: str,
        fmt: str,
        title: str | None = None,
        contract: int = CONTRACT_VERSION,
        base: str | None = None,
    ) -> tuple[str, bytes, tuple[tuple[str, str], ...]]:
        """The feed's media type and bytes, and a header saying what contract 1 left out."""
        from screenings.outputs import left_out_note
        from screenings.services.feeds import FeedOptions

        options = FeedOptions(
            domain=self.settings.feed_domain,
            cancelled=cancelled,
            zone=self.settings.default_timezone,
            title=title,
            contract=contract,
            base_url=base,
        )
        chosen = FORMATS[fmt]
        made = chosen.screenings(session, query, options)
        body = b"".join(made.pieces)
        said = (("Screenings-Left-Out", left_out_note(made.left_out)),) if made.left_out else ()
        return chosen.media_type, body, said

    def _render_secret(
        self, session: Session, token: str, fmt: str, environ: dict[str, Any]
    ) -> tuple[str, bytes, tuple[tuple[str, str], ...]]:
        from screenings.services.secret_feeds import NO_SUCH_FEED, secret_query

        query, cancelled, name = secret_query(
            session, token, default_length_minutes=self.settings.default_duration_minutes
        )
        if fmt == "html":
            if query.plan is None:  # only a plan's feed is a page: the rest as a wrong token
                raise NotFound(NO_SUCH_FEED)
            from screenings.exporters.html import render_page
            from screenings.services.pages import build_plan_page

            base = self.base_url or _request_base(environ)
            root = urlsplit(self.base_url).path if self.base_url else environ.get("SCRIPT_NAME", "")
            page = build_plan_page(session, query, f"/feeds/secret/{token}.ics")
            # Its links must not hand the token on (Referer), nor a search engine keep it.
            private = (
                *(
                    (name, "no-referrer" if name == "Referrer-Policy" else value)
                    for name, value in _page_headers()
                ),
                ("X-Robots-Tag", "noindex"),
            )
            return HTML, render_page("plan", page, base, root.rstrip("/")), private
        site = (self.base_url or _request_base(environ)) if fmt in LINKED else None
        try:
            return self._render_query(
                session, query, cancelled, fmt, title=f"{name} (secret feed)", base=site
            )
        except NotFound:
            # Its records are enforced references, so this cannot happen; if it did, the
            # answer must still be the one to a wrong token, naming nothing.
            raise NotFound(NO_SUCH_FEED) from None

    def _query(
        self, session: Session, kind: str | None, slug: str | None, given: dict[str, Any]
    ) -> ScreeningQuery:
        from screenings.query import from_filters

        values: dict[str, Any] = {
            f.name: given.get(f.name) if f.type is list else _one(given, f.name)
            for f in filters_for(WEB)
        }
        what = KINDS[kind] if kind else None
        if what is not None and slug is not None:
            from screenings.services.published import public_id

            record_id = public_id(session, what, slug)
            if what == "person":
                role = _one(given, "role")
                values["director" if role == "director" else "person"] = f"#{record_id}"
                if role not in {None, "director"}:
                    raise InvalidInput(
                        f"expected director (or leave it out), got {role!r}", field="role"
                    )
            else:
                values[what] = f"#{record_id}"
        elif "role" in given:
            raise InvalidInput("only for /feeds/people/...", field="role")
        # include_private is no parameter: never here (DESIGN.md, invariant 8).
        return from_filters(
            values,
            today=dt.date.today(),
            now=dt.datetime.now(dt.UTC),
            dayfirst=self.settings.dayfirst,
            default_length_minutes=self.settings.default_duration_minutes,
        )

    def _render_page(
        self, session: Session, kind: str, slug: str, base: str, root: str
    ) -> tuple[str, bytes]:
        """The page of ``kind`` (``home``, or the record's) in HTML."""
        from screenings.exporters.html import render_page
        from screenings.services import pages

        length = self.settings.default_duration_minutes
        page: Any
        if kind == "home":
            page = pages.build_home_page(session)
        elif kind == "letter":
            of, letter, number = slug.split("/")
            page = pages.build_letter_page(session, of, letter, int(number))
        elif kind == "festival":
            page = pages.build_festival_page(session, slug)
        else:
            build = {
                "edition": pages.build_edition_page,
                "film": pages.build_film_page,
                "venue": pages.build_venue_page,
                "person": pages.build_person_page,
                "programme": pages.build_programme_page,
            }[kind]
            page = build(session, slug, default_length_minutes=length)
        return HTML, render_page(kind, page, base, root)

    def _render_index(self, session: Session, base: str) -> tuple[str, bytes]:
        """Every feed that may be named in public, with its title and address."""

        from screenings.services.published import public_feeds

        plural = {value: key for key, value in KINDS.items()}
        document: dict[str, Any] = {"all": f"{base}/feeds/all.ics"}
        for kind, feeds in public_feeds(session).items():
            document[plural[kind]] = [
                {"title": title, "ics": f"{base}/feeds/{plural[kind]}/{slug}.ics"}
                for slug, title in feeds
            ]
        body = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return FORMATS["json"].media_type, body.encode()


@lru_cache(maxsize=1)
def _page_headers() -> tuple[tuple[str, str], ...]:
    """What every page is sent with beyond a feed's headers: a policy that allows no
    script and no style but the page's own, and no guessing of the content type."""
    from screenings.exporters.html import content_security_policy

    return (
        ("Content-Security-Policy", content_security_policy()),
        ("Referrer-Policy", "same-origin"),
    )


def _read_revision(session: Session) -> tuple[tuple[str, str, str], dt.datetime]:
    """The catalogue's version and when it last changed, in the session's snapshot."""
    from sqlalchemy import select

    from screenings.tables import revision

    version = revision_version(session.connection().exec_driver_sql(REVISION_SQL).one())
    changed = session.execute(select(revision.c.updated_at).where(revision.c.id == 1)).scalar_one()
    return version, changed


def _request_base(environ: dict[str, Any]) -> str:
    """The address the client used (PEP 3333): its scheme, its Host header (else the
    server's name and port) and where the application is mounted (``SCRIPT_NAME``).
    A Host header that is no host name is ``InvalidInput``: it would go into links."""
    host = environ.get("HTTP_HOST")
    if host is not None:
        if len(host) > 260 or not _HOST.match(host):
            raise InvalidInput(
                "Host: not a host name (and port); or start the server with --base-url"
            )
    else:  # HTTP/1.0 without Host: the server's own name, an IPv6 address in brackets
        name = str(environ.get("SERVER_NAME", "localhost"))
        host = f"[{name}]" if ":" in name else name
        host += f":{environ.get('SERVER_PORT')}" if environ.get("SERVER_PORT") else ""
    scheme = environ.get("wsgi.url_scheme", "http")
    scheme = scheme if scheme in {"http", "https"} else "http"
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '').rstrip('/')}"


def _parameters(query_string: str, kind: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The query parameters, checked and in a canonical order (a cache key): each value
    clean text (``rules.clean_text``, as every door judges text), tidied, and not empty.
    What a filter's value must be beyond that is for ``query.from_filters`` to say."""
    try:
        parsed = parse_qs(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("query: not UTF-8 text once percent-decoded") from None
    checked = []
    for name, values in parsed.items():
        if name not in PARAMETERS:
            shown = name if name.isprintable() and len(name) <= 80 else repr(name[:80])
            raise InvalidInput(
                f"{shown}: unknown parameter; expected one of {', '.join(PARAMETERS)}"
            )
        if len(values) > 1 and name not in REPEATABLE:
            raise InvalidInput(f"{name}: given {len(values)} times; expected once")
        kept = tuple(rules.clean_text(value, what=name) for value in values)
        if not all(kept):
            raise InvalidInput(f"{name}: empty")
        checked.append((name, kept))
    if "role" in parsed and kind != "people":
        raise InvalidInput("role: only for /feeds/people/...")
    return tuple(sorted(checked))


def _redacted(path: str) -> str:
    """``path`` with a secret feed's token left out, however the path writes it."""
    return logsafe.redact(path)


def _one(given: dict[str, tuple[str, ...]], name: str) -> str | None:
    values = given.get(name)
    return values[0] if values else None


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _accepts_gzip(header: str) -> bool:
    """True when Accept-Encoding gives gzip (or, unnamed, ``*``) a quality above 0."""
    qualities: dict[str, float] = {}
    for part in header.lower().split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            if param.replace(" ", "").startswith("q="):
                try:
                    quality = float(param.replace(" ", "")[2:])
                except ValueError:
                    quality = 0.0
        if coding:
            qualities[coding] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def _answer(environ: dict[str, Any], found: Rendered) -> tuple[str, list[tuple[str, str]], bytes]:
    """200 or 304 for ``found``, in the representation the client accepts."""
    zipped = _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
    now = dt.datetime.now(dt.UTC)
    headers = found.headers(zipped, now)
    if _not_modified(environ, found.zipped_etag if zipped else found.etag, found.changed, now):
        return "304 Not Modified", [h for h in headers if h[0] != "Content-Type"], b""
    if zipped:
        headers.append(("Content-Encoding", "gzip"))
        return "200 OK", headers, found.zipped
    return "200 OK", headers, found.body


def _not_modified(
    environ: dict[str, Any], etag: str, changed: dt.datetime, now: dt.datetime
) -> bool:
    """RFC 9110 13.1: If-None-Match (weak comparison) wins over If-Modified-Since; a date
    in the future is no date; and a change less than a second old, which no
    Last-Modified sent yet can name, is always modified."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since or not _settled(changed, now):
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when <= now and changed.replace(microsecond=0) <= when


class _LazyApplication:
    """``screenings.web:application`` for any WSGI server: settings from the
    environment (``SCREENINGS_DATABASE_URL``, ...), read on the first request."""

    def __init__(self) -> None:
        self._app: FeedApp | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    settings = load_settings()
                    self._app = FeedApp(settings, base_url=settings.base_url or "")
        return self._app(environ, start_response)


application = _LazyApplication()
