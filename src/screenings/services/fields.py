"""How a door names, in a service's messages, the values it hands that service.

A service speaks the domain (STYLE.md 16): each value it takes is a field, called by
the service's own parameter name (``ticket_url``, ``runtime_minutes``, ``on``), and
its messages name a field only through ``names``, which the door supplies: the
command line says ``--ticket-url`` and ``--runtime``, a web parameter its own name.
Called without a door's names, a service names the field itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

# A field of a service -> how the door calling it names that field.
Names = Callable[[str], str]


def own(field: str) -> str:
    """The field's own name: for a service called by no door in particular."""
    return field


# A number that an edit may clear: ``""`` clears an optional value, numbers included.
IntOrClear = int | Literal[""]
FloatOrClear = float | Literal[""]
