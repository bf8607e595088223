"""Run ../shared/tools/ical-check on files we wrote: the independent judge of every .ics."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# Beside the checkout, as CI places ../shared; SCREENINGS_TEST_ICAL_CHECK points elsewhere
# (tests/security/test_fresh_clone.py uses it to run a test as on a fresh clone, with no
# tool).
ICAL_CHECK = Path(
    os.environ.get("SCREENINGS_TEST_ICAL_CHECK")
    or Path(__file__).resolve().parents[2] / "shared" / "tools" / "ical-check" / "ical-check"
)


def _missing() -> str | None:
    """Why ical-check cannot run here (a fresh clone has no ``../shared``), or None.
    Under CI=true, where CI puts ``../shared`` beside the clone, its absence fails the run."""
    if ICAL_CHECK.exists():
        return None
    reason = f"ical-check not found at {ICAL_CHECK} (../shared is not beside this checkout)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    return reason


def ical_check(*paths: Path) -> tuple[int, str]:
    """(exit code, report) of ``ical-check --no-skip`` on ``paths``.

    Without the tool beside the project the test is skipped, except under
    CI=true, where that fails the run.
    """
    reason = _missing()
    if reason is not None:
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


def ical_compare(old: Path, new: Path) -> str | None:
    """``ical-check --compare OLD NEW``, which must pass (UIDs kept, SEQUENCE bumped where
    an event changed); its report. None where the tool is missing, so that a test's own
    assertions still run on a fresh clone: such a test ends with ``ical_check``, which
    then skips with the reason."""
    if _missing() is not None:
        return None
    out = subprocess.run(
        [str(ICAL_CHECK), "--compare", str(old), str(new)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


# frab-check, beside ical-check in ../shared/tools (SCREENINGS_TEST_FRAB_CHECK elsewhere).
FRAB_CHECK = Path(
    os.environ.get("SCREENINGS_TEST_FRAB_CHECK")
    or Path(__file__).resolve().parents[2] / "shared" / "tools" / "frab-check" / "frab-check"
)


def frab_check(*paths: Path) -> tuple[int, str]:
    """(exit code, report) of ``frab-check`` on ``paths``: skipped where the tool is not
    beside the project, except under CI=true, where that fails the run."""
    if not FRAB_CHECK.exists():
        reason = f"frab-check not found at {FRAB_CHECK} (../shared is not beside this checkout)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    out = subprocess.run(
        [str(FRAB_CHECK), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if out.returncode == 2:
        pytest.fail(f"frab-check could not run:\n{out.stdout}\n{out.stderr}", pytrace=False)
    return out.returncode, out.stdout
