"""The suite's clock: every test runs at an instant it states, never at the real one.

`tests/conftest.py` moves the clock of the whole process (the test, the live server's thread,
every library) to `SUITE_NOW` before each test, with time-machine. A test that needs another
instant says it, with `@pytest.mark.time_machine(...)` or `clock.move_to(...)` (the `clock`
fixture), and reads dates from here or from the data it created, so that the suite gives the
same result on every day of the year. `tests/test_clock.py` keeps the real clock out of the
tests: this module is the only one allowed to ask Django for "today".

SUITE_NOW is a Wednesday at 10:00 in Paris, in the middle of a month, of a half-year and of
the budget year (no edge nearby: the tests of the edges go there on purpose).
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")
SUITE_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=PARIS)
TODAY: date = SUITE_NOW.date()


def paris(day: date | str, at: time | str = time(12, 0)) -> datetime:
    """An instant in Paris: `paris("2027-01-01", "00:00")`."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    at = time.fromisoformat(at) if isinstance(at, str) else at
    return datetime.combine(day, at, tzinfo=PARIS)


def today() -> date:
    """The day the test's clock says (SUITE_NOW's unless the test moved it), in Paris."""
    return timezone.localdate()


def now() -> datetime:
    """The instant the test's clock says."""
    return timezone.now()
