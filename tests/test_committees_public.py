"""The public calendar, its iCalendar feed, the decisions as open data and their Atom feed."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import time, timedelta

import pytest
from icalendar import Calendar

from committees.models import PartnerReview
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def calendar_of(size: int, organisation=None):
    """An upcoming committee with `size` startups, and a past one whose `size` dossiers are decided."""
    upcoming = CommitteeFactory(
        date=TODAY + timedelta(days=30),
        starts_at=time(14, 30),
        place="DINUM, Paris",
        video_link="https://visio.exemple.gouv.fr/secret-room",
    )
    past = CommitteeFactory(date=TODAY - timedelta(days=60))
    for n in range(size):
        sponsors = [organisation] if organisation else []
        dossier_for(upcoming, StartupFactory(title=f"À venir {n}", sponsors=sponsors))
        dossier = dossier_for(
            past,
            StartupFactory(title=f"Décidée {n}", sponsors=sponsors),
            blockers="Blocage confidentiel",
        )
        dossier.money_snapshot = {"allocated": "987654.32"}
        dossier.save()
        DecisionFactory(dossier=dossier, amount=f"{100000 + n}.00", text="Motivation interne")
    return upcoming, past


def test_it_shows_upcoming_committees_and_past_decisions(client):
    upcoming, past = calendar_of(2)
    response = client.get("/comites/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "À venir 0" in content and "À venir 1" in content and "DINUM, Paris" in content
    assert "Décidée 1" in content and "Poursuite avec budget" in content
    assert "100 001 €" in content.replace("\xa0", " ").replace("\u202f", " ")
    assert response["ETag"]


def test_a_committee_has_its_public_page(client):
    upcoming, past = calendar_of(2)
    content = client.get(f"/comites/{past.pk}/").content.decode()
    assert "Décidée 0" in content and "Poursuite avec budget" in content
    assert client.get("/comites/999999/").status_code == 404


def test_public_pages_hold_no_private_data(client, organisation_a):
    upcoming, past = calendar_of(2, organisation_a)
    dossier = past.dossiers.first()
    PartnerReview.objects.create(
        dossier=dossier, organisation=organisation_a, opinion="reserved", comments="Avis privé"
    )
    for url in [
        "/comites/",
        f"/comites/{upcoming.pk}/",
        f"/comites/{past.pk}/",
        "/comites.ics",
        "/comites/decisions.atom",
        "/api/v2/decisions.json",
        "/api/v2/decisions.csv",
    ]:
        content = client.get(url).content.decode()
        for secret in [
            "Avis privé",
            "Blocage confidentiel",
            "987654",
            "Motivation interne",
            "secret-room",
            "/partenaires/dossiers/",
            "/partenaires/pieces-jointes/",
        ]:
            assert secret not in content, (url, secret)


@pytest.mark.parametrize("size", [2, 20])
def test_public_pages_cost_a_fixed_number_of_queries(client, size, django_assert_max_num_queries):
    upcoming, past = calendar_of(size)
    for url, queries in [
        ("/comites/", 6),
        (f"/comites/{past.pk}/", 5),
        ("/comites.ics", 4),
        ("/comites/decisions.atom", 2),
        ("/api/v2/decisions.json", 2),
        ("/api/v2/decisions.csv", 2),
    ]:
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200, url


def test_the_ics_feed_parses_and_describes_each_committee(client):
    upcoming, past = calendar_of(2)
    dateless = CommitteeFactory(date=TODAY + timedelta(days=90), place="")
    response = client.get("/comites.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in response.content
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert len(events) == 3
    event = next(e for uid, e in events.items() if uid.startswith(f"comite-{upcoming.pk}@"))
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (upcoming.date, 14, 30)
    assert str(start.tzinfo) == "Europe/Paris"
    assert event["LOCATION"] == "DINUM, Paris"
    assert "À venir 0" in event["DESCRIPTION"] and "À venir 1" in event["DESCRIPTION"]
    assert event["URL"].endswith(f"/comites/{upcoming.pk}/")
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    whole_day = next(e for uid, e in events.items() if uid.startswith(f"comite-{dateless.pk}@"))
    assert whole_day.decoded("DTSTART") == dateless.date


def test_decisions_json(client):
    upcoming, past = calendar_of(2)
    response = client.get("/api/v2/decisions.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)["data"]
    assert len(data) == 2
    attributes = data[0]["attributes"]
    assert attributes["decision"] == "continue"
    assert attributes["decision_label"] == "Poursuite avec budget"
    assert attributes["committee_date"] == past.date.isoformat()
    assert attributes["amount"] in ("100000.00", "100001.00")
    assert data[0]["relationships"]["startup"]["data"]["type"] == "startup"


def test_decisions_csv_neutralises_formulas(client):
    dossier = dossier_for(
        CommitteeFactory(date=TODAY - timedelta(days=10)),
        StartupFactory(id="=HYPERLINK(1)", title="=cmd|' /C calc'!A0"),
    )
    DecisionFactory(dossier=dossier, amount=None, kind="stop")
    response = client.get("/api/v2/decisions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")), delimiter=";"))
    assert rows[0][:4] == ["id", "committee_date", "startup", "startup_name"]
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[1][3] == "'=cmd|' /C calc'!A0"
    assert rows[1][rows[0].index("decision_label")] == "Arrêt"
    assert rows[1][rows[0].index("amount")] == ""


def test_the_atom_feed_parses(client):
    upcoming, past = calendar_of(2)
    response = client.get("/comites/decisions.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "Décidée 0 : Poursuite avec budget" in titles
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert all(f"/comites/{past.pk}/#decision-" in link for link in links)
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == 2


def test_an_empty_calendar_is_fine(client):
    assert "Aucun comité" in client.get("/comites/").content.decode()
    calendar = Calendar.from_ical(client.get("/comites.ics").content)
    assert calendar.walk("VEVENT") == []
    assert json.loads(client.get("/api/v2/decisions.json").content)["data"] == []
