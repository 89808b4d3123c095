"""The committees' date rules on their edges, on purpose: ends of months and 29 February, local
midnight in Paris (not UTC), the nights the clocks change, and New Year's Eve.

Every test states its instant (tests/clock.py): `paris(day, at)` is a local time in Paris; an
instant given in UTC says so, to show which side of midnight the two clocks are on.
"""

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from icalendar import Calendar

from committees import services
from committees.models import Committee, PartnerReview, committee_due, six_months_after
from committees.selectors import committees_due
from tests.clock import PARIS, TODAY, paris
from tests.factories import StartupFactory, startup_with_phases
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def day(text: str) -> date:
    return date.fromisoformat(text)


def upcoming_section(client) -> str:
    """The « Comités à venir » part of /comites/ (not the decisions below it)."""
    content = client.get("/comites/").content.decode()
    start = content.index("Comités à venir</h2>")
    return content[start : content.index("Décisions</h2>", start)]


# --- 1. Six months later, at the end of a month -----------------------------------------------
@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("2026-08-31", "2027-02-28"),  # no 31 February: the last day of the month
        ("2027-08-31", "2028-02-29"),  # a leap year
        ("2028-02-29", "2028-08-29"),  # from 29 February: the same day, not the end of August
        ("2026-12-31", "2027-06-30"),  # across the year, into a 30-day month
        ("2027-06-30", "2027-12-30"),  # not the end of December
        ("2027-03-31", "2027-09-30"),
        ("2026-11-18", "2027-05-18"),  # an ordinary day: the same day six months later
    ],
)
def test_six_months_after_is_the_same_day_or_the_last_day_of_a_shorter_month(anchor, expected):
    assert six_months_after(day(anchor)) == day(expected)


def due_of(startup) -> date:
    """The startup's next committee as the staff dashboard computes it."""
    (item,) = [item for item in committees_due(within_days=3650) if item.startup.pk == startup.pk]
    return item.due


def test_the_next_committee_is_due_six_calendar_months_after_the_anchor():
    startup = startup_with_phases(("construction", day("2026-08-31")))
    assert due_of(startup) == day("2027-02-28")
    assert committee_due(day("2027-08-31")) == day("2028-02-29")


def test_a_decision_sets_the_next_committee_six_calendar_months_after_its_committee(staff_user):
    committee = CommitteeFactory(date=day("2026-08-31"))
    dossier = dossier_for(
        committee, startup_with_phases(("construction", day("2026-03-01")), title="Fin d'août")
    )
    consequences = services.decision_consequences(
        dossier=dossier, kind="continue", effective_date=committee.date
    )
    assert consequences.next_committee_due == day("2027-02-28")
    assert "Prochain comité dû au plus tard le 28/02/2027." in consequences.messages
    decision = services.record_decision(
        dossier=dossier, kind="continue", effective_date=committee.date, by=staff_user
    )
    assert decision.next_committee_due == day("2027-02-28")
    # The startup's next committee then counts from this committee.
    assert due_of(dossier.startup) == day("2027-02-28")


@pytest.mark.parametrize(
    ("new_committee", "accepted"),
    [("2027-01-27", False), ("2027-01-28", True), ("2027-03-03", True), ("2027-03-04", False)],
)
def test_a_temporary_extension_from_new_year_s_eve_lasts_28_to_62_days(new_committee, accepted):
    dossier = dossier_for(
        CommitteeFactory(date=day("2026-12-31")),
        startup_with_phases(("construction", day("2026-06-01"))),
    )

    def consequences():
        return services.decision_consequences(
            dossier=dossier,
            kind="extend",
            effective_date=day("2026-12-31"),
            new_committee_date=day(new_committee),
        )

    if accepted:
        assert consequences().next_committee_due == day(new_committee)
    else:
        with pytest.raises(
            services.CommitteeError, match=r"entre 4 et 9 semaines \(28 à 62 jours\)"
        ):
            consequences()


def startup_in_construction_since(start: str, title: str):
    """An active startup with no committee yet: its first is due six months after `start`."""
    return startup_with_phases(("construction", day(start)), title=title)


def test_a_committee_due_today_is_due_and_one_due_yesterday_is_overdue(staff_client):
    assert day("2026-11-18") == TODAY  # SUITE_NOW
    startup_in_construction_since("2026-05-18", "Due aujourd'hui")
    startup_in_construction_since("2026-05-17", "Due hier")
    due = {item.startup.title: item for item in committees_due()}
    assert due["Due aujourd'hui"].due == TODAY and not due["Due aujourd'hui"].overdue
    assert due["Due hier"].due == TODAY - timedelta(days=1) and due["Due hier"].overdue
    # The dashboard says « En retard » for the second one only.
    content = staff_client.get("/admin/").content.decode()
    items = {
        title: next(li for li in re.findall(r"<li>.*?</li>", content) if title in li)
        for title in ("Due aujourd&#x27;hui", "Due hier")
    }
    assert "En retard" not in items["Due aujourd&#x27;hui"]
    assert "comité dû le 18/11/2026" in items["Due aujourd&#x27;hui"]
    assert "En retard" in items["Due hier"] and "comité dû le 17/11/2026" in items["Due hier"]


def test_overdue_is_said_of_the_day_the_list_was_made_for():
    startup_in_construction_since("2026-05-17", "Due hier")
    (item,) = committees_due(on=TODAY - timedelta(days=1))
    assert item.due == TODAY - timedelta(days=1)
    assert not item.overdue  # due on the very day asked about, whatever today is
    (item,) = committees_due(on=TODAY)
    assert item.overdue


@pytest.mark.time_machine(paris("2027-02-28", "23:59"), tick=False)
def test_due_on_28_february_turns_overdue_at_midnight_in_paris(clock):
    startup_in_construction_since("2026-08-31", "Fin d'août")
    (item,) = committees_due()
    assert (item.due, item.overdue) == (day("2027-02-28"), False)
    clock.move_to(paris("2027-03-01", "00:00"), tick=False)  # still 28 February in UTC
    (item,) = committees_due()
    assert (item.due, item.overdue) == (day("2027-02-28"), True)


# --- 2. Midnight is Paris's, not UTC's --------------------------------------------------------
@pytest.mark.parametrize(
    ("committee_day", "local_midnight_in_utc"),
    [
        ("2026-12-15", datetime(2026, 12, 15, 23, 0, tzinfo=UTC)),  # winter: UTC+1
        ("2027-06-15", datetime(2027, 6, 15, 22, 0, tzinfo=UTC)),  # summer: UTC+2
    ],
)
def test_a_committee_is_upcoming_until_local_midnight(
    client, clock, committee_day, local_midnight_in_utc
):
    committee = CommitteeFactory(date=day(committee_day), place="Salle du jour J")
    next_day = day(committee_day) + timedelta(days=1)
    assert paris(next_day, "00:00") == local_midnight_in_utc

    clock.move_to(paris(committee_day, "23:59"), tick=False)
    assert list(Committee.objects.upcoming()) == [committee]
    assert list(Committee.objects.past()) == []
    assert "Salle du jour J" in upcoming_section(client)

    # Midnight in Paris: the UTC date is still the committee's, the committee is past.
    clock.move_to(local_midnight_in_utc, tick=False)
    assert list(Committee.objects.upcoming()) == []
    assert list(Committee.objects.past()) == [committee]
    assert "Salle du jour J" not in upcoming_section(client)  # the cached page too


def test_a_committee_held_on_its_day_is_no_longer_listed_as_upcoming(client, clock, staff_user):
    # Its decisions are public from the moment they are recorded: the calendar must not show
    # the same committee as « à venir » above them.
    committee = CommitteeFactory(date=day("2026-12-15"), place="Salle du jour J")
    dossier = dossier_for(
        committee, startup_with_phases(("construction", day("2026-12-15") - timedelta(days=60)))
    )
    clock.move_to(paris("2026-12-15", "10:00"), tick=False)
    assert "Salle du jour J" in upcoming_section(client)

    services.mark_held(committee=committee)
    services.record_decision(
        dossier=dossier, kind="stop", effective_date=day("2026-12-15"), by=staff_user
    )
    assert list(Committee.objects.upcoming()) == []
    assert list(Committee.objects.past()) == [committee]
    assert "Salle du jour J" not in upcoming_section(client)  # the cached page too


@pytest.mark.parametrize("committee_day", ["2026-12-15", "2027-06-15"])  # winter, summer
def test_a_committee_can_be_held_decide_and_close_from_its_local_midnight(
    staff_user, clock, committee_day
):
    committee = CommitteeFactory(date=day(committee_day))
    dossier = dossier_for(
        committee, startup_with_phases(("construction", day(committee_day) - timedelta(days=60)))
    )
    # 23:59 the evening before, in Paris (already the committee's day in no time zone we use).
    clock.move_to(paris(day(committee_day) - timedelta(days=1), "23:59"), tick=False)
    with pytest.raises(services.CommitteeError, match="n'a pas encore eu lieu"):
        services.mark_held(committee=committee)
    with pytest.raises(services.CommitteeError, match="aucune décision ne peut être enregistrée"):
        services.record_decision(
            dossier=dossier, kind="stop", effective_date=day(committee_day), by=staff_user
        )
    with pytest.raises(services.CommitteeError, match="il ne peut pas être clos"):
        services.close_committee(committee=committee)
    committee.refresh_from_db()
    assert committee.status == "planned"

    # Midnight in Paris, while UTC is still on the evening before.
    clock.move_to(paris(committee_day, "00:00"), tick=False)
    services.mark_held(committee=committee)
    services.record_decision(
        dossier=dossier, kind="stop", effective_date=day(committee_day), by=staff_user
    )
    services.close_committee(committee=committee)
    committee.refresh_from_db()
    assert committee.status == "closed"


@pytest.mark.parametrize(
    ("committee_day", "deadline"),
    [("2026-12-02", "2026-11-25"), ("2027-06-22", "2027-06-15")],  # winter, summer
)
def test_the_review_closes_at_local_midnight_after_its_deadline(
    client, clock, partner_a, organisation_a, committee_day, deadline
):
    committee = CommitteeFactory(date=day(committee_day))
    assert committee.pre_read_deadline == day(deadline)
    dossier = dossier_for(committee, StartupFactory(title="Relue", sponsors=[organisation_a]))
    url = f"/partenaires/dossiers/{dossier.pk}/avis/"
    form = {"organisation": organisation_a.pk, "opinion": "favourable"}

    clock.move_to(paris(deadline, "23:59"), tick=False)
    client.force_login(partner_a)  # sessions last a working day: log in at the test's instant
    assert committee.review_open
    response = client.post(url, form)
    assert response.status_code == 302
    assert PartnerReview.objects.get(dossier=dossier).opinion == "favourable"

    clock.move_to(paris(day(deadline) + timedelta(days=1), "00:00"), tick=False)
    assert not committee.review_open
    response = client.post(url, {**form, "opinion": "unfavourable"})
    assert response.status_code == 403
    french_deadline = day(deadline).strftime("%d/%m/%Y")
    assert (
        f"La date limite de relecture ({french_deadline}) est passée : "
        "l'avis ne peut plus être donné ni modifié."
    ) in html.unescape(response.content.decode())
    assert PartnerReview.objects.get(dossier=dossier).opinion == "favourable"
    with pytest.raises(services.CommitteeError, match=rf"\({french_deadline}\) est passée"):
        services.save_review(
            dossier=dossier, organisation=organisation_a, author=partner_a, opinion="reserved"
        )


def remind() -> str:
    """The daily command as cron runs it: no --date, the day is the clock's."""
    out = StringIO()
    call_command("committees_remind", stdout=out)
    return out.getvalue()


def reminded(mailoutbox) -> list[tuple[str, str]]:
    return [(message.to[0], message.subject) for message in mailoutbox]


@pytest.mark.parametrize(
    ("deadline", "utc_offset_hours"),
    [("2026-12-02", 1), ("2027-06-15", 2)],  # winter, summer
)
def test_reminders_a_week_before_go_out_on_the_local_day_at_00_30(
    clock, partner_a, organisation_a, mailoutbox, deadline, utc_offset_hours
):
    committee = CommitteeFactory(date=day(deadline) + timedelta(days=7))
    dossier_for(committee, StartupFactory(title="Rappelée", sponsors=[organisation_a]))
    week_before = day(deadline) - timedelta(days=7)

    clock.move_to(paris(week_before - timedelta(days=1), "23:30"), tick=False)
    assert remind().endswith(": 0 rappel(s) envoyé(s), 0 déjà envoyé(s), 0 échec(s).\n")
    assert mailoutbox == []

    # 00:30 in Paris is still the day before in UTC: the reminder goes out on the local day.
    at = paris(week_before, "00:30")
    assert at.astimezone(UTC).date() == week_before - timedelta(days=1)
    assert at.utcoffset() == timedelta(hours=utc_offset_hours)
    clock.move_to(at, tick=False)
    output = remind()
    assert output.startswith(f"envoyé : prereading-7d:committee:{committee.pk}:")
    assert f"{week_before.isoformat()} : 1 rappel(s) envoyé(s)" in output
    assert len(mailoutbox) == 1
    assert "dans 7 jours" in mailoutbox[0].body
    assert f"({day(deadline):%d/%m/%Y} inclus)" in mailoutbox[0].body

    # The day before the deadline, at 00:30 again: « demain ».
    clock.move_to(paris(day(deadline) - timedelta(days=1), "00:30"), tick=False)
    remind()
    assert len(mailoutbox) == 2
    assert "se termine demain" in mailoutbox[1].body


# --- 3. The nights the clocks change ----------------------------------------------------------
@pytest.mark.parametrize(
    ("committee_day", "utc_offset_hours"),
    [
        ("2026-10-24", 2),  # the day before the clocks go back: summer time
        ("2026-10-25", 1),  # they went back at 03:00 that night: winter time at 10:00
        ("2026-10-26", 1),
        ("2027-03-27", 1),
        ("2027-03-28", 2),  # they went forward at 02:00 that night: summer time at 10:00
        ("2027-03-29", 2),
    ],
)
def test_the_ics_gives_a_committee_s_local_time_around_a_change_of_clocks(
    client, committee_day, utc_offset_hours
):
    committee = CommitteeFactory(date=day(committee_day), starts_at=time(10, 0))
    dossier_for(committee, StartupFactory(title="Au changement d'heure"))
    response = client.get("/comites.ics")
    assert f"DTSTART;TZID=Europe/Paris:{committee_day.replace('-', '')}T100000" in (
        response.content.decode()
    )
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.date(), start.time()) == (day(committee_day), time(10, 0))
    assert start.utcoffset() == timedelta(hours=utc_offset_hours)
    assert start.astimezone(UTC).hour == 10 - utc_offset_hours
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=50)  # one dossier
    # The VTIMEZONE in the file (what a calendar without a time zone database reads) agrees.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    own = vtimezone.to_tz(lookup_tzid=False)
    local = datetime.combine(day(committee_day), time(10, 0))
    assert local.replace(tzinfo=own).utcoffset() == timedelta(hours=utc_offset_hours)


@pytest.mark.parametrize(
    ("committee_day", "dossiers", "end_in_utc", "end_local"),
    [
        # Clocks go back at 03:00 CEST: 01:30 CEST + 100 minutes is 02:10 CET, 01:10 UTC.
        ("2026-10-25", 2, datetime(2026, 10, 25, 1, 10, tzinfo=UTC), None),
        # Clocks go forward at 02:00 CET: 01:30 CET + 50 minutes is 03:20 CEST (02:20 is no time).
        ("2027-03-28", 1, datetime(2027, 3, 28, 1, 20, tzinfo=UTC), time(3, 20)),
    ],
)
def test_the_ics_counts_a_committee_s_length_in_real_minutes_across_the_change(
    client, committee_day, dossiers, end_in_utc, end_local
):
    committee = CommitteeFactory(date=day(committee_day), starts_at=time(1, 30))
    for n in range(dossiers):
        dossier_for(committee, StartupFactory(title=f"Nuit {n}"))
    (event,) = Calendar.from_ical(client.get("/comites.ics").content).walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == paris(committee_day, "01:30")
    assert end.astimezone(UTC) == end_in_utc
    # Real minutes (Python subtracts two times of one zone on the wall clock: go through UTC).
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=50 * dossiers)
    if end_local:  # written as a time that exists on that day
        assert end.astimezone(PARIS).time() == end_local == end.replace(tzinfo=None).time()


@pytest.mark.parametrize(
    ("deadline", "first_run", "week_reminder_on", "eve_reminder_on", "night"),
    [
        # The week's reminder falls on the night the clocks go forward (02:30 does not exist).
        ("2027-04-04", "2027-03-26", "2027-03-28", "2027-04-03", "2027-03-28"),
        # The eve's reminder falls on the night they go back (02:30 happens twice).
        ("2026-10-26", "2026-10-17", "2026-10-19", "2026-10-25", "2026-10-25"),
    ],
)
def test_reminders_run_at_02_30_never_twice_never_skipping_a_day_when_the_clocks_change(
    clock,
    partner_a,
    organisation_a,
    mailoutbox,
    deadline,
    first_run,
    week_reminder_on,
    eve_reminder_on,
    night,
):
    committee = CommitteeFactory(date=day(deadline) + timedelta(days=7))
    dossier_for(committee, StartupFactory(title="Rappelée", sponsors=[organisation_a]))
    days_run, sent_on = [], {}
    run = day(first_run)
    while run <= day(deadline):
        clock.move_to(paris(run, "02:30"), tick=False)
        before = len(mailoutbox)
        days_run.append(remind().splitlines()[-1].split(" : ")[0])
        for message in mailoutbox[before:]:
            kind = "dans 7 jours" if "dans 7 jours" in message.body else "demain"
            sent_on.setdefault(kind, []).append(run.isoformat())
        if run.isoformat() == night:
            # Cron may run again in the repeated hour (02:30 CET after 02:30 CEST): nothing new.
            clock.move_to(paris(run, "02:30").replace(fold=1), tick=False)
            assert "0 rappel(s) envoyé(s), 1 déjà envoyé(s)" in remind()
        run += timedelta(days=1)
    expected_days = (day(deadline) - day(first_run)).days + 1
    assert days_run == [
        (day(first_run) + timedelta(days=n)).isoformat() for n in range(expected_days)
    ]
    assert sent_on["dans 7 jours"] == [week_reminder_on]
    assert sent_on["demain"] == [eve_reminder_on]
    assert len(mailoutbox) == 2


# --- 4. New Year's Eve -------------------------------------------------------------------------
@pytest.mark.time_machine(paris("2026-12-31", "23:30"), tick=False)
def test_new_year_s_eve_upcoming_committees_and_their_year(client, clock):
    for committee_day in ("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-04"):
        CommitteeFactory(date=day(committee_day), place=f"Salle du {committee_day}")
    assert [c.date.isoformat() for c in Committee.objects.upcoming()] == [
        "2026-12-31",
        "2027-01-01",
        "2027-01-04",
    ]
    section = upcoming_section(client)
    assert "31 décembre 2026" in section
    assert "1 janvier 2027" in section and "4 janvier 2027" in section
    assert "2026-12-30" not in section and "30 décembre" not in section
    assert "4 janvier 2026" not in section and "1 janvier 2026" not in section
    fourth = Committee.objects.get(date=day("2027-01-04"))
    page = client.get(f"/comites/{fourth.pk}/").content.decode()
    assert "Comité du 4 janvier 2027" in page and "lundi 4 janvier 2027" in page

    # 00:30 on 1 January in Paris, 23:30 on 31 December in UTC: the 31st is past.
    clock.move_to(paris("2027-01-01", "00:30"), tick=False)
    assert [c.date.isoformat() for c in Committee.objects.upcoming()] == [
        "2027-01-01",
        "2027-01-04",
    ]
    section = upcoming_section(client)
    assert "31 décembre 2026" not in section and "4 janvier 2027" in section


@pytest.mark.time_machine(paris("2026-12-31", "23:30"), tick=False)
def test_the_atom_feed_dates_a_decision_of_new_year_s_eve_at_its_instant(client):
    committee = CommitteeFactory(date=day("2026-12-31"))
    dossier = dossier_for(committee, StartupFactory(title="Réveillon"))
    DecisionFactory(dossier=dossier, effective_date=day("2027-01-01"), amount="300000.00")
    feed = ET.fromstring(client.get("/comites/decisions.atom").content)  # noqa: S314 (ours)
    (entry,) = feed.findall(f"{ATOM}entry")
    updated = datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    assert updated == paris("2026-12-31", "23:30")  # 22:30 UTC, the same instant
    assert updated.tzinfo is not None
    summary = entry.find(f"{ATOM}summary").text
    assert "Comité du 31/12/2026" in summary and "(effet le 01/01/2027)" in summary
