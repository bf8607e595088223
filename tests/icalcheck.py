"""Run ../shared/tools/ical-check on files we wrote: the independent judge of every .ics."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ICAL_CHECK = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ical-check" / "ical-check"


def ical_check(*paths: Path) -> tuple[int, str]:
    """(exit code, report) of ``ical-check --no-skip`` on ``paths``.

    Without the tool beside the project the test is skipped, except under
    CI=true, where that fails the run.
    """
    if not ICAL_CHECK.exists():
        reason = f"ical-check not found at {ICAL_CHECK}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    out = subprocess.run(
        [str(ICAL_CHECK), "--no-skip", "--max-errors", "50", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if out.returncode == 2:
        pytest.fail(f"ical-check could not run:\n{out.stdout}\n{out.stderr}", pytrace=False)
    return out.returncode, out.stdout
