"""The errors a user can cause, each with its own exit code.

An error is about a field when it names one (``field="ticket_url"``): its
``detail`` says what is wrong without naming the field, and each door says the
field in its own terms (``said``): ``--ticket-url`` on the command line,
``ticket_url`` as a web parameter, a column and a line in an import. A detail
that refers to other fields writes each as ``{field}`` and lists it in
``mentions``, and the door names those too.

Every door turns a ``ScreeningsError`` into one line (on stderr and its exit
code, in one handler, ``screenings.cli.run``; a status and a body in
``screenings.web``); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A field -> how a door names it (``cli.options.command_names``, a web parameter's name).
Names = Callable[[str], str]


def own(field: str) -> str:
    """A field's own name: how a web parameter or a service's caller in Python names it."""
    return field


def _said(detail: str, field: str | None, mentions: tuple[str, ...], names: Names) -> str:
    for other in mentions:
        detail = detail.replace("{" + other + "}", names(other))
    return f"{names(field)}: {detail}" if field else detail


@dataclass(frozen=True)
class Message:
    """Something a service says that is no error (a warning of an import), written as an
    error is: about ``field`` when it names one, other fields in ``detail`` as
    ``{field}`` (listed in ``mentions``); each door names them (``said``)."""

    detail: str
    field: str | None = None
    mentions: tuple[str, ...] = ()

    def said(self, names: Names = own) -> str:
        """The message, its fields named as ``names`` names them: ``FIELD: DETAIL``."""
        return _said(self.detail, self.field, self.mentions, names)

    def __str__(self) -> str:
        return self.said()


class ScreeningsError(Exception):
    """Base class: a message meant for the user, and the exit code to leave with."""

    exit_code = 1

    def __init__(
        self, detail: str, *, field: str | None = None, mentions: tuple[str, ...] = ()
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field or None
        self.mentions = mentions

    def said(self, names: Names = own) -> str:
        """The message, its fields named as ``names`` names them: ``FIELD: DETAIL``."""
        return _said(self.detail, self.field, self.mentions, names)

    @property
    def message(self) -> str:
        """The message with each field called by its own name (``own``)."""
        return self.said()

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

    def __init__(self, detail: str, successor: str) -> None:
        super().__init__(detail)
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
