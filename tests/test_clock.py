"""The suite never reads the real clock: a test that did would pass on some days only."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.clock import PARIS, SUITE_NOW, TODAY, paris

TESTS = Path(__file__).resolve().parent
REAL_CLOCK = re.compile(
    r"timezone\.(localdate|now|localtime)\(\)|date\.today\(|datetime\.(now|today|utcnow)\("
    r"|time\.time\(|time\.localtime\(|time\.gmtime\("
)
# The one module that asks Django for the time, always under the suite's clock.
ALLOWED = {"clock.py", "test_clock.py"}


def test_no_test_reads_the_real_clock():
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(TESTS.glob("*.py"))
        if path.name not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if REAL_CLOCK.search(line)
    ]
    assert not offenders, "Lisez l'heure dans tests/clock.py :\n" + "\n".join(offenders)


def test_every_test_starts_at_the_suite_instant():
    assert timezone.localdate() == TODAY == date(2026, 11, 18)
    assert abs((timezone.now() - SUITE_NOW).total_seconds()) < 60
    assert datetime.now(PARIS).date() == TODAY  # the standard library is moved too


@pytest.mark.time_machine(paris("2027-01-01", "00:30"), tick=False)
def test_a_test_states_its_own_instant():
    # 00:30 in Paris is still 31 December in UTC: "today" is the local day.
    assert timezone.localdate() == date(2027, 1, 1)
    assert timezone.now().date() == date(2026, 12, 31)


def test_a_test_moves_the_clock(clock):
    clock.move_to(paris("2028-02-29", "23:59"), tick=False)
    assert timezone.localdate() == date(2028, 2, 29)
    clock.shift(60)
    assert timezone.localdate() == date(2028, 3, 1)


def test_a_stated_instant_holds_in_a_test_run_alone():
    # Run first in its session, a test's marker once lost to the suite's clock (set up inside
    # that first test): a file or a test run alone then saw 18 November instead of its date.
    import subprocess
    import sys

    test = "tests/test_clock.py::test_a_test_states_its_own_instant"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
