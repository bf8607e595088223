"""Item 0: the README's test command passes on a fresh clone, with nothing beside it.

The cross-parser checks need ``../shared/tools/ical-check``; where it is missing they
skip with the reason (and fail under CI=true, where CI puts ``../shared`` beside the
clone). This runs the test that once called ``ical-check --compare`` unguarded, as on a
fresh clone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/test_export.py::test_every_kind_of_change_updates_in_place[sqlite]"


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_XDIST_WORKER"}}
    environ |= {"SCREENINGS_TEST_ICAL_CHECK": str(tmp_path / "no-such-ical-check"), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n0", "-p", "no:cacheprovider", "-rs", TEST],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_without_ical_check_the_updates_in_place_test_skips_with_the_reason(
    tmp_path: Path,
) -> None:
    done = _pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout, done.stdout
    assert "ical-check not found at" in done.stdout  # the reason, in the summary


def test_under_ci_a_missing_ical_check_fails_the_run(tmp_path: Path) -> None:
    done = _pytest(tmp_path, CI="true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CI=true: ical-check not found at" in done.stdout
