"""How the command line names a service's fields in its messages: by its options
(``services.fields``), so that a service's refusal reads ``--ticket-url: ...``; and the
numbers an edit takes, which ``""`` clears."""

from __future__ import annotations

import math

from screenings.errors import InvalidInput
from screenings.services.fields import FloatOrClear, IntOrClear, Names

# The fields whose option is not ``--`` and the field's name with dashes.
RENAMED = {
    "runtime_minutes": "--runtime",
    "duration_minutes": "--duration",
    "imdb_id": "--imdb",
    "countries": "--country",
    "languages": "--language",
    "directors": "--director",
    "producers": "--producer",
    "credits": "--credit",
    "links": "--link",
    "new_name": "--name",
    "starts": "--from",
    "ends": "--to",
    "latitude": "--lat",
    "longitude": "--lon",
    "statuses": "--status",
    "kinds": "--kind",
}


def option_names(**arguments: str) -> Names:
    """The command line's names: ``--the-field`` for a field, but for the options spelled
    otherwise (``--runtime``) and for this command's ``arguments``, named as its usage
    line names them (``title="TITLE"``)."""
    spelled = {**RENAMED, **arguments}

    def name(field: str) -> str:
        return spelled.get(field) or "--" + field.replace("_", "-")

    return name


def whole_number(text: str | None, what: str) -> IntOrClear | None:
    """The whole number an option gives (an option typed as text, since a number option
    cannot be given ``""``): None when not given, ``""`` when given empty (an edit clears
    the value), else the number; ``InvalidInput`` naming ``what`` otherwise."""
    if text is None or not text.strip():
        return None if text is None else ""
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what}: {text[:80]!r} is not a whole number") from None


def decimal_number(text: str | None, what: str) -> FloatOrClear | None:
    """As ``whole_number``, for a number such as ``53.38``."""
    if text is None or not text.strip():
        return None if text is None else ""
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(f"{what}: {text[:80]!r} is not a number")
    return number
