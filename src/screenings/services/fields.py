"""The values services take beyond the standard library's and the model's.

A service speaks the domain: each value it takes is a field, called by the service's
own parameter name (``ticket_url``, ``runtime_minutes``), and an error about one says
so (``InvalidInput(..., field="ticket_url")``); the door that called names it in its
own terms (``errors.ScreeningsError.said``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

# A number that an edit may clear: ``""`` clears an optional value, numbers included.
IntOrClear = int | Literal[""]
FloatOrClear = float | Literal[""]
DateOrClear = dt.date | Literal[""]
TimeOrClear = dt.time | Literal[""]
