"""The errors a user can cause, each with its own exit code.

Every door turns a ``ScreeningsError`` into one line on stderr and its exit
code, in one handler (``screenings.cli.main``); anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations


class ScreeningsError(Exception):
    """Base class: a message meant for the user, and the exit code to leave with."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(ScreeningsError):
    """An argument, a column or a value is not what was expected."""

    exit_code = 2


class NotFound(ScreeningsError):
    """A film, person, festival, ... named by the user does not exist."""

    exit_code = 3


class Gone(NotFound):
    """A record that was removed: its address is kept from new records for a while, and
    answers that it is gone (HTTP 410) rather than that it never was."""


class Merged(NotFound):
    """A record merged into another: ``successor`` is the slug of the record kept, where
    its addresses now lead (HTTP 301)."""

    def __init__(self, message: str, successor: str) -> None:
        super().__init__(message)
        self.successor = successor


class Ambiguous(ScreeningsError):
    """A name matches more than one record."""

    exit_code = 4


class Conflict(ScreeningsError):
    """The change would break a rule of the catalogue (a duplicate, a dangling reference)."""

    exit_code = 5


class DatabaseState(ScreeningsError):
    """The database is at a revision this command cannot use (needs an upgrade, or is newer)."""

    exit_code = 6


class DatabaseUnavailable(ScreeningsError):
    """The database cannot be reached or opened."""

    exit_code = 7
