"""Golden files: bytes a test pins, and the one switch that rewrites them.

``SCREENINGS_UPDATE_GOLDEN=1`` writes what the tests made over every golden file they
compare with (``tests/golden/...`` and the README's picture, ``docs/edition-page.png``);
without it, a difference fails and names the switch."""

from __future__ import annotations

import os
from pathlib import Path

SWITCH = "SCREENINGS_UPDATE_GOLDEN"


def updating() -> bool:
    """True when this run rewrites golden files."""
    return os.environ.get(SWITCH) == "1"


def matches(path: Path, actual: bytes) -> None:
    """Assert ``actual`` is what ``path`` holds; rewrite ``path`` instead when updating."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
    assert path.exists(), f"{path.name} is missing; {SWITCH}=1 writes it"
    assert actual == path.read_bytes(), f"{path.name} differs; {SWITCH}=1 rewrites it"
