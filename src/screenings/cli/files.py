"""Writing what the exports make: whole files or nothing, and only when the bytes change
(a feed's file keeps its modification time, and a web server its ETag, while nothing in
it changed)."""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from screenings.errors import InvalidInput

if TYPE_CHECKING:
    from screenings.services.feeds import Split

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"


def write_if_changed(path: Path, pieces: Iterable[bytes], *, what: str) -> bool:
    """Write ``pieces`` to ``path`` through a temporary file beside it, replacing the file
    in one step; leave it untouched when it already holds these bytes. True if written.

    An unwritable place is ``InvalidInput`` naming ``what`` and the path.
    """
    if path.is_dir():
        raise InvalidInput(f"{what}: {path} is a directory; expected a file name")
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as out:
            for piece in pieces:
                out.write(piece)
        if path.is_file() and filecmp.cmp(temporary, path, shallow=False):
            temporary.unlink()
            return False
        os.chmod(temporary, _mode(path))
        os.replace(temporary, path)
        temporary = None
        return True
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _mode(path: Path) -> int:
    """The existing file's mode, else what a new file gets (readable by a web server)."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class Published(NamedTuple):
    written: int
    unchanged: int
    removed: int


def publish_split(split: Split, out_dir: Path) -> Published:
    """The feeds of ``split`` and their index in ``out_dir`` (created if needed).

    The groups hold their events rendered (``render_event``). A feed listed
    in the previous ``index.json`` whose group has nothing to show now is removed,
    so no stale calendar stays online; no other file is ever removed.
    """
    from screenings.exporters.ical import assemble
    from screenings.exporters.index import render_index_html, render_index_json
    from screenings.records import FeedIndexEntry

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"--out-dir: cannot create {out_dir}: {exc.strerror or exc}") from None
    previous = _previous_files(out_dir)
    written = unchanged = 0
    entries = []
    for group in split.groups:
        if group.header is not None:
            feed = assemble(group.header, group.events)
            if write_if_changed(out_dir / group.file, [feed], what="--out-dir"):
                written += 1
            else:
                unchanged += 1
        entries.append(
            FeedIndexEntry(
                slug=group.slug,
                title=group.title,
                file=group.file if group.header is not None else None,
                events=len(group.events),
                left_out=dict(sorted(group.left_out.items())),
                reason=group.reason,
            )
        )
    current = {entry.file for entry in entries if entry.file}
    removed = 0
    for name in sorted(previous - current):
        with contextlib.suppress(FileNotFoundError):
            (out_dir / name).unlink()
            removed += 1
    for name, render in ((INDEX_JSON, render_index_json), (INDEX_HTML, render_index_html)):
        write_if_changed(
            out_dir / name, [render(split.by, entries, split.ungrouped)], what="--out-dir"
        )
    return Published(written, unchanged, removed)


def _previous_files(out_dir: Path) -> set[str]:
    """The feed files the last split into ``out_dir`` wrote, by its index."""
    try:
        document = json.loads((out_dir / INDEX_JSON).read_text(encoding="utf-8"))
        names = {feed["file"] for feed in document["feeds"] if feed.get("file")}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    # Only plain .ics names in this directory: an edited index never deletes anything else.
    return {
        n
        for n in names
        if isinstance(n, str)
        and n.endswith(".ics")
        and "/" not in n
        and "\\" not in n
        and not n.startswith(".")
    }
