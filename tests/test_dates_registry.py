"""The registry's date rules on their edges: local midnight, the nights the clocks change,
29 February; and the public page cache (body, ETag, Last-Modified) on the same edges.

The day is the day in Paris (TIME_ZONE): at 00:30 in Paris it is still yesterday in UTC, and
the current phase of a startup must already be the one starting today. Each test moves the
clock to the instants it checks (`clock.move_to(..., tick=False)`) and asserts what the
registry, the pages and the cache answer there.
"""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils.http import http_date

from publishing import caching
from publishing.models import DataChange
from startups.models import Startup
from startups.phases import EXPECTED_DURATIONS, PhaseKind, StartupStatus
from startups.services import start_phase
from tests.clock import TODAY, now, paris, today
from tests.factories import PhaseFactory, StartupFactory, startup_with_phases

pytestmark = pytest.mark.django_db

INV = PhaseKind.INVESTIGATION
CONS = PhaseKind.CONSTRUCTION
ACC = PhaseKind.ACCELERATION
CONSO = PhaseKind.CONSOLIDATION

# The day a phase starts, in winter (Paris is UTC+1) and in summer (UTC+2).
SEASONS = [
    pytest.param(date(2027, 1, 1), 1, id="hiver-UTC+1"),
    pytest.param(date(2027, 7, 1), 2, id="ete-UTC+2"),
]

# The first badge of a startup page is its current phase (startups_tags.phase_badge).
BADGE = re.compile(r'<p class="fr-badge fr-badge--sm[^"]*">([^<]+)</p>')
ONE_DAY = timedelta(days=1)


def move(clock, day: date | str, at: str):
    clock.move_to(paris(day, at), tick=False)


def current(startup, on=None):
    row = Startup.objects.with_current_phase(on).get(pk=startup.pk)
    return row.current_phase_kind, row.current_phase_start


def ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def fresh(startup) -> Startup:
    """The startup as a page reads it (the property, not the annotation)."""
    return Startup.objects.prefetch_related("phases").get(pk=startup.pk)


def page(client, startup, **headers):
    return client.get(startup.get_absolute_url(), headers=headers)


def badge(response) -> str:
    assert response.status_code == 200
    return BADGE.search(response.content.decode()).group(1)


def listed(client, query: str) -> str:
    response = client.get(f"/startups/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def last_write_at(instant: datetime):
    """Dates every recorded write at `instant`: what the database's `now()` said. Pins
    Last-Modified, which otherwise follows the real clock of the database server."""
    DataChange.objects.update(at=instant)


# --- 1. Midnight in Paris, not in UTC ------------------------------------------------------------
@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_the_current_phase_and_the_status_change_at_midnight_in_paris(clock, day, offset):
    building = startup_with_phases((INV, day - timedelta(days=100)), (CONS, day), id="bascule")
    handed = startup_with_phases((CONS, day - timedelta(days=400)), (PhaseKind.TRANSFERRED, day))

    move(clock, day - ONE_DAY, "23:59")
    assert current(building) == (INV, day - timedelta(days=100))
    assert fresh(building).current_kind == INV
    assert fresh(handed).status == StartupStatus.ACTIVE
    assert ids(Startup.objects.active()) == sorted([building.pk, handed.pk])
    assert ids(Startup.objects.with_status(StartupStatus.HANDED_OVER)) == []

    for at in ("00:00", "00:30"):
        move(clock, day, at)
        assert paris(day, at).utcoffset() == timedelta(hours=offset)
        assert today() == day
        assert current(building) == (CONS, day)
        assert fresh(building).current_kind == CONS
        assert fresh(handed).status == StartupStatus.HANDED_OVER
        assert ids(Startup.objects.active()) == [building.pk]
        assert ids(Startup.objects.with_status(StartupStatus.HANDED_OVER)) == [handed.pk]
    # 00:30 in Paris is still the previous day in UTC: the rule reads the local day.
    assert now().astimezone(UTC).date() == day - ONE_DAY


@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_the_startup_page_shows_the_new_phase_from_midnight_in_paris(client, clock, day, offset):
    startup = startup_with_phases((INV, day - timedelta(days=20)), (CONS, day))
    running = (
        ' <span class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">en cours</span>'
    )

    move(clock, day - ONE_DAY, "23:59")
    response = page(client, startup)
    assert badge(response) == "Investigation"
    assert f"Investigation{running}" in response.content.decode()

    move(clock, day, "00:30")
    response = page(client, startup)
    assert badge(response) == "Construction"
    assert f"Construction{running}" in response.content.decode()
    assert f"Investigation{running}" not in response.content.decode()


@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_the_portfolio_filters_by_phase_and_status_follow_midnight_in_paris(
    client, clock, day, offset
):
    startup_with_phases((INV, day - timedelta(days=20)), (CONS, day), title="Bascule de minuit")
    startup_with_phases(
        (CONS, day - timedelta(days=400)), (PhaseKind.OPERATED, day), title="Opérée à minuit"
    )

    move(clock, day - ONE_DAY, "23:59")
    assert "Bascule de minuit" in listed(client, "phase=investigation")
    assert "Bascule de minuit" not in listed(client, "phase=construction")
    assert "Opérée à minuit" in listed(client, "actives=on")
    assert "Opérée à minuit" not in listed(client, "statut=handed_over")

    for at in ("00:00", "00:30"):
        move(clock, day, at)
        assert "Bascule de minuit" not in listed(client, "phase=investigation")
        assert "Bascule de minuit" in listed(client, "phase=construction")
        assert "Opérée à minuit" not in listed(client, "actives=on")
        assert "Opérée à minuit" in listed(client, "statut=handed_over")


@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_overstay_starts_at_midnight_in_paris_the_day_after_the_expected_length(
    client, clock, day, offset
):
    # Nine weeks (63 days) are expected of an investigation, 365 days of a construction.
    investigation = startup_with_phases((INV, day - timedelta(days=64)), id="investigation")
    construction = startup_with_phases((CONS, day - timedelta(days=366)), id="construction")

    move(clock, day - ONE_DAY, "23:59")
    assert fresh(investigation).current_phase_age == timedelta(days=63)
    assert fresh(investigation).overstay is None
    assert fresh(construction).current_phase_age == timedelta(days=365)
    assert fresh(construction).overstay is None
    assert ids(Startup.objects.overstaying()) == []
    assert "de plus que prévu" not in page(client, investigation).content.decode()

    for at in ("00:00", "00:30"):
        move(clock, day, at)
        assert fresh(investigation).overstay == ONE_DAY
        assert fresh(construction).overstay == ONE_DAY
        assert ids(Startup.objects.overstaying()) == ["construction", "investigation"]
        assert "1 jour de plus que prévu" in page(client, investigation).content.decode()


@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_a_running_phase_gains_a_day_at_midnight_in_paris(clock, day, offset):
    startup = startup_with_phases((INV, day - timedelta(days=10)))
    phase = startup.phases.get()

    move(clock, day - ONE_DAY, "23:59")
    assert phase.duration() == timedelta(days=10)  # its first day counts
    assert fresh(startup).current_phase_age == timedelta(days=9)

    move(clock, day, "00:30")
    assert phase.duration() == timedelta(days=11)
    assert fresh(startup).current_phase_age == timedelta(days=10)


# --- 2. The public page cache: body, ETag, Last-Modified ------------------------------------------
@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_a_page_cached_at_2359_is_not_served_after_midnight_in_paris(client, clock, day, offset):
    startup = startup_with_phases((INV, day - timedelta(days=20)), (CONS, day))
    last_write_at(paris(day - ONE_DAY, "18:00"))

    move(clock, day - ONE_DAY, "23:59")
    before = page(client, startup)
    assert badge(before) == "Investigation"
    assert before["Last-Modified"] == http_date(paris(day - ONE_DAY, "18:00").timestamp())
    # Same day, same data: the cache holds and conditional requests are answered 304.
    move(clock, day - ONE_DAY, "23:59:59")
    assert page(client, startup, if_none_match=before["ETag"]).status_code == 304
    assert page(client, startup, if_modified_since=before["Last-Modified"]).status_code == 304

    move(clock, day, "00:00")
    after = page(client, startup, if_none_match=before["ETag"])
    assert after.status_code == 200
    assert badge(after) == "Construction"
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] == http_date(paris(day, "00:00").timestamp())
    refetched = page(client, startup, if_modified_since=before["Last-Modified"])
    assert refetched.status_code == 200
    assert badge(refetched) == "Construction"

    # 00:30 in Paris, 23:30 (or 22:30) the day before in UTC: still the same local day.
    move(clock, day, "00:30")
    assert page(client, startup, if_none_match=after["ETag"]).status_code == 304
    assert page(client, startup, if_modified_since=after["Last-Modified"]).status_code == 304


@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_the_portfolio_list_cached_at_2359_is_rebuilt_after_midnight_in_paris(
    client, clock, day, offset
):
    startup_with_phases((INV, day - timedelta(days=20)), (CONS, day), title="Bascule de minuit")

    move(clock, day - ONE_DAY, "23:59")
    before = client.get("/startups/?phase=construction")
    assert "Bascule de minuit" not in before.content.decode()

    move(clock, day, "00:00")
    after = client.get("/startups/?phase=construction", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "Bascule de minuit" in after.content.decode()


@pytest.mark.parametrize(
    ("day", "midnight_in_utc"),
    [
        (date(2027, 1, 1), datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),
        (date(2027, 7, 1), datetime(2027, 6, 30, 22, 0, tzinfo=UTC)),
        # The nights the clocks change: 23 hours then 25 hours between two midnights.
        (date(2027, 3, 28), datetime(2027, 3, 27, 23, 0, tzinfo=UTC)),
        (date(2027, 3, 29), datetime(2027, 3, 28, 22, 0, tzinfo=UTC)),
        (date(2026, 10, 25), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
        (date(2026, 10, 26), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
        (date(2028, 2, 29), datetime(2028, 2, 28, 23, 0, tzinfo=UTC)),
    ],
)
def test_last_modified_is_floored_at_midnight_in_paris(day, midnight_in_utc):
    assert caching.last_modified_of(None, day) == midnight_in_utc.timestamp()
    earlier_write = midnight_in_utc - timedelta(hours=5)
    assert caching.last_modified_of(earlier_write, day) == midnight_in_utc.timestamp()


def test_last_modified_is_clamped_to_the_applications_now():
    application_now = paris("2026-11-18", "10:00")
    ahead = application_now + timedelta(minutes=5)  # the database server's clock runs ahead
    behind = application_now - timedelta(minutes=5)
    assert caching.last_modified_of(ahead, date(2026, 11, 18), now=application_now) == (
        application_now.timestamp()
    )
    assert caching.last_modified_of(behind, date(2026, 11, 18), now=application_now) == (
        behind.timestamp()
    )


@pytest.mark.time_machine(paris("2020-06-01", "12:00"), tick=False)
def test_last_modified_is_never_in_the_future_when_the_database_clock_is_ahead(client):
    # The application's clock says 2020; the database's `now()`, which dates each write, says
    # the real date, years later. A Last-Modified in the future is wrong (RFC 9110 § 8.8.2).
    startup = startup_with_phases((INV, date(2020, 5, 1)))
    assert DataChange.objects.latest("id").at > now()

    response = page(client, startup)

    assert response["Last-Modified"] == http_date(now().timestamp())
    assert page(client, startup, if_modified_since=response["Last-Modified"]).status_code == 304


@pytest.mark.parametrize(("day", "offset"), SEASONS)
def test_a_database_clock_ahead_does_not_hide_the_midnight_change(client, clock, day, offset):
    # The last write is dated 00:05 by a database clock 6 minutes ahead of the application's,
    # which said 23:59. Left unclamped, that Last-Modified would still be current at 00:00 and
    # a client holding it would be told 304: it would keep yesterday's phase.
    startup = startup_with_phases((INV, day - timedelta(days=20)), (CONS, day))
    last_write_at(paris(day, "00:05"))

    move(clock, day - ONE_DAY, "23:59")
    before = page(client, startup)
    assert before["Last-Modified"] == http_date(paris(day - ONE_DAY, "23:59").timestamp())

    move(clock, day, "00:00")
    after = page(client, startup, if_modified_since=before["Last-Modified"])
    assert after.status_code == 200
    assert badge(after) == "Construction"
    assert after["Last-Modified"] == http_date(paris(day, "00:00").timestamp())


# --- 3. The nights the clocks change in Paris -----------------------------------------------------
def test_the_spring_forward_night_keeps_the_day_and_the_durations(client, clock):
    # 2027-03-28: 02:00 becomes 03:00; 02:30 does not exist that night.
    startup = StartupFactory(title="Printemps")
    PhaseFactory(startup=startup, kind=INV, start=date(2027, 3, 27), end=date(2027, 3, 29))
    PhaseFactory(startup=startup, kind=CONS, start=date(2027, 3, 30))
    changing = startup_with_phases((INV, date(2027, 3, 1)), (CONS, date(2027, 3, 28)))
    assert startup.phases.get(kind=INV).duration() == timedelta(days=3)  # both ends count

    move(clock, "2027-03-27", "23:59")
    assert current(changing)[0] == INV
    for at in ("00:00", "01:59", "02:30", "03:00", "23:59"):
        move(clock, "2027-03-28", at)
        assert today() == date(2027, 3, 28), at
        assert current(changing)[0] == CONS, at
        assert current(startup) == (INV, date(2027, 3, 27)), at
    # The nonexistent 02:30 is read as 03:30 summer time (01:30 UTC), still 28 March.
    move(clock, "2027-03-28", "02:30")
    assert now().astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    response = page(client, startup)
    assert badge(response) == "Investigation"
    assert "<td>3 jours</td>" in response.content.decode()
    assert "Printemps" in listed(client, "phase=investigation")

    move(clock, "2027-03-29", "12:00")
    open_ended = startup_with_phases((INV, date(2027, 3, 27)), id="ouverte")
    assert open_ended.phases.get().duration() == timedelta(days=3)
    assert fresh(open_ended).current_phase_age == timedelta(days=2)


def test_the_fall_back_night_keeps_the_day_and_one_page_for_both_0230(client, clock):
    # 2026-10-25: 03:00 becomes 02:00; 02:30 happens twice (summer time, then winter time).
    startup = StartupFactory(title="Automne")
    PhaseFactory(startup=startup, kind=INV, start=date(2026, 10, 24), end=date(2026, 10, 26))
    PhaseFactory(startup=startup, kind=CONS, start=date(2026, 10, 27))
    changing = startup_with_phases((INV, date(2026, 10, 1)), (CONS, date(2026, 10, 25)))
    assert startup.phases.get(kind=INV).duration() == timedelta(days=3)

    move(clock, "2026-10-24", "23:59")
    assert current(changing)[0] == INV

    first = paris("2026-10-25", "02:30")
    second = first.replace(fold=1)
    assert second.timestamp() - first.timestamp() == 3600
    responses = []
    for instant, utc_hour in ((first, 0), (second, 1)):
        clock.move_to(instant, tick=False)
        assert now().astimezone(UTC) == datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC)
        assert today() == date(2026, 10, 25)
        assert current(changing)[0] == CONS
        response = page(client, startup)
        assert badge(response) == "Investigation"
        assert "<td>3 jours</td>" in response.content.decode()
        # The database dated the writes with the real clock, ahead of 2026-10-25: clamped.
        assert response["Last-Modified"] == http_date(now().timestamp())
        responses.append(response)
    # Same day, same data: the same page, whichever 02:30 it is (the cached body itself has
    # expired: the cache's timeout is one hour, exactly the time between the two 02:30).
    assert responses[0]["ETag"] == responses[1]["ETag"]
    assert page(client, startup, if_none_match=responses[0]["ETag"]).status_code == 304

    move(clock, "2026-10-26", "00:00")
    assert page(client, startup, if_none_match=responses[0]["ETag"]).status_code == 200


@pytest.mark.parametrize(
    ("last_day", "at"),
    [
        # Spring: the day that lasts 23 hours, at its nonexistent 02:30.
        (date(2027, 3, 28), paris("2027-03-28", "02:30")),
        # Autumn: the day that lasts 25 hours, at its second 02:30.
        (date(2026, 10, 25), paris("2026-10-25", "02:30").replace(fold=1)),
    ],
)
def test_overstay_counts_days_not_hours_across_the_night_the_clocks_change(
    client, clock, last_day, at
):
    # The 63rd day of an investigation (nine weeks) is the day the clocks change.
    startup = startup_with_phases((INV, last_day - EXPECTED_DURATIONS[INV]))

    for instant in (at, paris(last_day, "23:59")):
        clock.move_to(instant, tick=False)
        assert fresh(startup).current_phase_age == timedelta(days=63)
        assert fresh(startup).overstay is None
        assert ids(Startup.objects.overstaying()) == []
        assert page(client, startup).status_code == 200

    move(clock, last_day + ONE_DAY, "00:00")
    assert fresh(startup).overstay == ONE_DAY
    assert ids(Startup.objects.overstaying()) == [startup.pk]
    assert "1 jour de plus que prévu" in page(client, startup).content.decode()


# --- 4. 29 February ------------------------------------------------------------------------------
def test_a_phase_starting_on_29_february_is_current_from_midnight_in_paris(client, clock):
    startup = startup_with_phases((INV, date(2028, 1, 2)), (CONS, date(2028, 2, 29)))

    move(clock, "2028-02-28", "23:59")
    assert current(startup) == (INV, date(2028, 1, 2))

    move(clock, "2028-02-29", "00:30")  # 28 February, 23:30 in UTC
    assert now().astimezone(UTC).date() == date(2028, 2, 28)
    assert current(startup) == (CONS, date(2028, 2, 29))
    response = page(client, startup)
    assert badge(response) == "Construction"
    assert "<td>29 février 2028</td>" in response.content.decode()
    # The investigation, 2 January to 28 February 2028: 58 days.
    assert startup.phases.get(kind=INV).duration() == timedelta(days=58)

    move(clock, "2028-03-01", "00:00")
    assert fresh(startup).current_phase_age == ONE_DAY


def test_durations_across_29_february_count_it():
    leap = PhaseFactory(kind=INV, start=date(2028, 2, 28), end=date(2028, 3, 1))
    common = PhaseFactory(kind=INV, start=date(2027, 2, 28), end=date(2027, 3, 1))
    assert leap.duration() == timedelta(days=3)
    assert common.duration() == timedelta(days=2)
    open_ended = PhaseFactory(kind=INV, start=date(2028, 2, 1))
    assert open_ended.duration(until=date(2028, 3, 1)) == timedelta(days=30)


@pytest.mark.parametrize(
    ("kind", "last_day_on_time"),
    [
        # A year after 29 February 2028 has no 29 February: 365 days end on 28 February 2029.
        (CONS, date(2029, 2, 28)),
        (ACC, date(2030, 2, 28)),
        (CONSO, date(2028, 8, 30)),
    ],
)
def test_expected_durations_from_29_february_never_fail_and_end_on_the_right_day(
    client, clock, kind, last_day_on_time
):
    startup = startup_with_phases((kind, date(2028, 2, 29)))
    assert last_day_on_time - date(2028, 2, 29) == EXPECTED_DURATIONS[kind]

    assert ids(Startup.objects.overstaying(on=last_day_on_time)) == []
    assert ids(Startup.objects.overstaying(on=last_day_on_time + ONE_DAY)) == [startup.pk]

    move(clock, last_day_on_time, "23:59")
    assert fresh(startup).overstay is None
    response = page(client, startup)
    assert response.status_code == 200
    assert "de plus que prévu" not in response.content.decode()

    move(clock, last_day_on_time + ONE_DAY, "00:00")
    assert fresh(startup).overstay == ONE_DAY
    assert "1 jour de plus que prévu" in page(client, startup).content.decode()


def test_an_investigation_whose_ninth_week_ends_on_29_february(client, clock):
    startup = startup_with_phases((INV, date(2027, 12, 28)))
    assert date(2027, 12, 28) + EXPECTED_DURATIONS[INV] == date(2028, 2, 29)

    move(clock, "2028-02-29", "23:59")
    assert fresh(startup).overstay is None
    move(clock, "2028-03-01", "00:00")
    assert fresh(startup).overstay == ONE_DAY
    assert ids(Startup.objects.overstaying()) == [startup.pk]


def test_expected_durations_are_days_so_a_year_holding_29_february_ends_a_day_early():
    # EXPECTED_DURATIONS are timedeltas, never calendar months: no `replace(year=...)` that
    # would raise on 29 February. The price, pinned here so that changing it is a decision: a
    # construction whose year holds 29 February is over on its anniversary.
    leap = startup_with_phases((CONS, date(2027, 3, 1)))  # its year holds 29 February 2028
    common = startup_with_phases((CONS, date(2026, 3, 1)))

    def over(startup, on):
        return Startup.objects.filter(pk=startup.pk).overstaying(on=on).exists()

    assert (over(leap, date(2028, 2, 29)), over(leap, date(2028, 3, 1))) == (False, True)
    assert (over(common, date(2027, 3, 1)), over(common, date(2027, 3, 2))) == (False, True)


def test_a_decided_phase_is_announced_until_it_begins_then_current(client, clock):
    startup = startup_with_phases(("construction", TODAY - timedelta(days=200)), title="Aidants")
    start_phase(
        startup=startup,
        kind="acceleration",
        on=TODAY + timedelta(days=14),
        comment="décision du comité du 18/11/2026 : Passage à la phase suivante",
    )
    content = " ".join(
        html.unescape(client.get(f"/startups/{startup.pk}/").content.decode()).split()
    )
    assert (
        "Passe en accélération le 2 décembre 2026 (décision du comité du 18/11/2026 : "
        "Passage à la phase suivante)." in content
    )
    assert "à venir" in content
    assert "-14" not in content and "-13" not in content  # no negative duration
    # Local midnight of the effective day: the phase is the current one, the notice goes.
    clock.move_to(paris(TODAY + timedelta(days=14), "00:00"), tick=False)
    content = " ".join(
        html.unescape(client.get(f"/startups/{startup.pk}/").content.decode()).split()
    )
    assert "Passe en accélération" not in content and "à venir" not in content
