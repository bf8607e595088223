"""Standard output while a command runs, and what happens when it cannot be written.

Commands write to stdout as they like (``typer.echo``, the binary buffer); ``guarded``
puts a thin wrapper in front of ``sys.stdout`` for the length of the command, so that a
failed write or flush raises ``StdoutFailed``. That tells a failing stdout (a full
device, a closed pipe) apart from every other I/O error, which stays a bug with its
traceback, and lets ``screenings.cli.run`` report it in one place, for every command.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, TextIO, cast


class StdoutFailed(Exception):
    """Standard output could not be written: ``error`` says why."""

    def __init__(self, error: OSError, stream: IO[Any]) -> None:
        super().__init__(str(error))
        self.error = error
        self.stream = stream

    @property
    def message(self) -> str:
        return f"stdout: cannot write: {self.error.strerror or self.error}"

    @property
    def reader_gone(self) -> bool:
        """The reader closed its end (``screenings list | head -1``): nothing is wrong."""
        return isinstance(self.error, BrokenPipeError)


class _Guarded:
    """``stream``, except that a failed write or flush raises ``StdoutFailed``; its binary
    ``buffer`` is guarded the same way."""

    def __init__(self, stream: IO[Any], stdout: IO[Any]) -> None:
        self._stream = stream
        self._stdout = stdout

    def write(self, data: Any) -> Any:
        try:
            return self._stream.write(data)
        except OSError as exc:
            raise StdoutFailed(exc, self._stdout) from exc

    def writelines(self, lines: Any) -> None:
        try:
            self._stream.writelines(lines)
        except OSError as exc:
            raise StdoutFailed(exc, self._stdout) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutFailed(exc, self._stdout) from exc

    @property
    def buffer(self) -> _Guarded:
        return _Guarded(self._stream.buffer, self._stdout)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Closed:
    """Standard output when the process was started without one (``screenings list
    >&-``, where Python's ``sys.stdout`` is None): a write fails as the closed
    descriptor would make it fail, instead of going nowhere without a word."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def fileno(self) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    @property
    def buffer(self) -> _Closed:  # bytes fail the same way
        return self


@contextmanager
def guarded() -> Iterator[None]:
    """Guard ``sys.stdout`` while the block runs; at its end, flush what is still
    buffered, so that a failure surfaces here as ``StdoutFailed`` and not at exit."""
    stdout = sys.stdout
    stream: IO[Any] = stdout if stdout is not None else cast(IO[Any], _Closed())
    sys.stdout = cast(TextIO, _Guarded(stream, stream))
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout = stdout


def discard_pending(failed: StdoutFailed) -> None:
    """Point the failed stream's file descriptor at /dev/null: what it still buffers
    then goes nowhere when Python flushes it at exit, instead of failing again after
    the message (the recipe in Python's documentation of SIGPIPE)."""
    try:
        descriptor = failed.stream.fileno()
    except (OSError, ValueError):  # not a file (a test's capture): nothing flushes at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)
