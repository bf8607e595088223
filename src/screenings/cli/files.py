"""Writing what the exports make: whole files or nothing, and only when the bytes change
(a feed's file keeps its modification time, and a web server its ETag, while nothing in
it changed)."""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from screenings.errors import InvalidInput
from screenings.records import FeedIndexEntry

if TYPE_CHECKING:
    from screenings.services.feeds import Split

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"


class _Staged(NamedTuple):
    temporary: Path
    target: Path


def _node(path: Path) -> int | None:
    """The file type bits of what ``path`` names (a symbolic link followed); None when
    nothing is there."""
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except OSError:
        # Nothing there, or ENOTDIR, ELOOP, EACCES: said when the file is written.
        return None


def _describe(node: int) -> str:
    return {
        stat.S_IFDIR: "a directory",
        stat.S_IFIFO: "a FIFO",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFSOCK: "a socket",
    }.get(node, "not a regular file")


def _stage(path: Path, pieces: Iterable[bytes], *, what: str) -> _Staged | None:
    """Write ``pieces`` to a temporary file beside ``path`` (flushed to disk); None, and
    nothing left behind, when ``path`` already holds these bytes. ``InvalidInput`` when
    something other than a regular file is at ``path``: it is never replaced."""
    node = _node(path)
    if node == stat.S_IFDIR:
        raise InvalidInput(f"{what}: {path} is a directory; expected a file name")
    if node is not None and node != stat.S_IFREG:
        raise InvalidInput(
            f"{what}: {path} is {_describe(node)}, not a regular file; "
            "it is left alone: move it away, or choose another place"
        )
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        temporary = Path(name)
        with os.fdopen(handle, "wb") as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if path.is_file() and filecmp.cmp(temporary, path, shallow=False):
            temporary.unlink()
            return None
        os.chmod(temporary, _mode(path))
        staged, temporary = _Staged(temporary, path), None
        return staged
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _commit(staged: Iterable[_Staged], *, what: str) -> None:
    for item in staged:
        try:
            os.replace(item.temporary, item.target)
        except OSError as exc:
            raise InvalidInput(
                f"{what}: cannot write {item.target}: {exc.strerror or exc}"
            ) from None


def _discard(staged: Iterable[_Staged]) -> None:
    for item in staged:
        with contextlib.suppress(OSError):
            item.temporary.unlink()


def write_if_changed(path: Path, pieces: Iterable[bytes], *, what: str) -> bool:
    """Write ``pieces`` to ``path`` through a temporary file beside it, replacing the file
    in one step; leave it untouched when it already holds these bytes. True if written.
    A symbolic link is followed: the file it points to is replaced.

    A FIFO or a character device at ``path`` (``/dev/null``, ``/dev/stdout``, a terminal)
    is written into, as a shell's ``>`` would, and never replaced; a block device or a
    socket is refused. An unwritable place, or a device that refuses the bytes
    (``/dev/full``), is ``InvalidInput`` naming ``what`` and the path.
    """
    if _node(path) in (stat.S_IFIFO, stat.S_IFCHR) and _write_into(path, pieces, what=what):
        return True
    staged = _stage(path.resolve() if path.is_symlink() else path, pieces, what=what)
    if staged is None:
        return False
    _commit([staged], what=what)
    return True


def _write_into(path: Path, pieces: Iterable[bytes], *, what: str) -> bool:
    """Write ``pieces`` into the FIFO or device at ``path``, which stays what it is; False,
    with nothing written, if a regular file took its place meanwhile."""
    try:
        # No O_CREAT: if the node went away, nothing is made in its place here.
        handle = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            if stat.S_ISREG(os.fstat(out.fileno()).st_mode):
                return False
            for piece in pieces:
                out.write(piece)
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot write {path}: {exc.strerror or exc}") from None
    return True


def _mode(path: Path) -> int:
    """The existing regular file's mode, else what a new file gets (readable by a web
    server)."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def refuse_to_empty(path: Path, fmt: str, *, what: str) -> None:
    """``InvalidInput`` when the regular file at ``path`` holds screenings (or anything
    but an export of none: an iCalendar file with no VEVENT, a JSON document with an
    empty list, a CSV header alone, an empty file): an export of none must not replace
    it unasked."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or os.path.getsize(path) == 0:
            return
        with open(path, "rb") as handle:
            holds = _holds_records(handle, fmt)
    except OSError:
        return  # said when it is written, if it cannot be
    if holds:
        raise InvalidInput(
            f"{what}: {path} holds screenings, and this export has none; it is left as it "
            "was (--allow-empty replaces it)"
        )


def _holds_records(handle: BinaryIO, fmt: str) -> bool:
    if fmt == "ics":
        start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start.upper().startswith(b"BEGIN:VCALENDAR"):
            return True
        handle.seek(0)
        return any(line.strip().upper() == b"BEGIN:VEVENT" for line in handle)
    data = handle.read()
    if fmt == "frab.xml":
        return b"<schedule" not in data or b"<event " in data
    if fmt == "frab.json":
        try:
            days = json.loads(data)["schedule"]["conference"]["days"]
            return any(events for day in days for events in day["rooms"].values())
        except (ValueError, KeyError, TypeError, AttributeError):
            return True
    if fmt == "json":
        try:
            document = json.loads(data)
        except ValueError:
            return True
        return not (isinstance(document, dict) and document.get("screenings") == [])
    return len([line for line in data.splitlines() if line.strip()]) > 1  # CSV: header, rows


class Published(NamedTuple):
    written: int
    unchanged: int
    removed: int
    kept: int  # feeds of an earlier split with other options, left in place


def publish_split(split: Split, out_dir: Path, *, allow_empty: bool = False) -> Published:  # noqa: C901 -- each file of a split: written, unchanged, kept or removed, in one pass
    """The feeds of ``split`` and their index in ``out_dir`` (created if needed).

    A split with no events at all, into a directory whose index lists feeds, is
    ``InvalidInput`` unless ``allow_empty``: it would remove them or unlist them.

    The groups hold their events rendered (``render_event``). Every file is
    written to a temporary file first; only when all are written are they put in
    place, so a failure leaves the directory as it was. A feed that the previous
    ``index.json`` listed, for a split of the same scope, and whose group has
    nothing to show now, is removed; no other file is ever removed.
    """
    from screenings.exporters.ical import assemble
    from screenings.exporters.index import render_index_html, render_index_json

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"--out-dir: cannot create {out_dir}: {exc.strerror or exc}") from None
    previous_scope, previous = _previous(out_dir)
    if previous and not allow_empty and not any(group.events for group in split.groups):
        raise InvalidInput(
            f"--out-dir: {out_dir / INDEX_JSON} lists {len(previous)} feed(s), and this "
            "split has no events; nothing was changed (--allow-empty publishes it)"
        )
    entries = []
    staged: list[_Staged] = []
    unchanged = 0
    try:
        for group in split.groups:
            if group.header is not None:
                item = _stage(
                    out_dir / group.file, [assemble(group.header, group.events)], what="--out-dir"
                )
                if item is None:
                    unchanged += 1
                else:
                    staged.append(item)
            entries.append(
                FeedIndexEntry(
                    slug=group.slug,
                    title=group.title,
                    file=group.file if group.header is not None else None,
                    events=len(group.events),
                    cancelled=group.cancelled,
                    reason=group.reason,
                )
            )
        indexes = [
            (INDEX_JSON, render_index_json(split.by, entries, split.ungrouped, split.scope)),
            (INDEX_HTML, render_index_html(split.by, entries, split.ungrouped)),
        ]
        written = len(staged)
        for name, data in indexes:  # one at a time, so that a refusal discards the others
            item = _stage(out_dir / name, [data], what="--out-dir")
            if item is not None:
                staged.append(item)
    except BaseException:
        _discard(staged)
        raise
    _commit(staged, what="--out-dir")
    stale = previous - {entry.file for entry in entries if entry.file}
    removed = kept = 0
    for name in sorted(stale):
        if previous_scope != split.scope:
            kept += 1
            continue
        with contextlib.suppress(FileNotFoundError):
            (out_dir / name).unlink()
            removed += 1
    return Published(written, unchanged, removed, kept)


def _previous(out_dir: Path) -> tuple[str | None, set[str]]:
    """The scope of the last split into ``out_dir`` and the feed files it wrote, by its
    index."""
    try:
        document = json.loads((out_dir / INDEX_JSON).read_text(encoding="utf-8"))
        scope = document.get("scope")
        names = {feed["file"] for feed in document["feeds"] if feed.get("file")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, set()
    # Only plain .ics names in this directory: an edited index never deletes anything else.
    return scope, {
        n
        for n in names
        if isinstance(n, str)
        and n.endswith(".ics")
        and "/" not in n
        and "\\" not in n
        and not n.startswith(".")
    }
