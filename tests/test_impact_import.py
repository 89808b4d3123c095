"""CSV import of measurements: good lines saved, bad lines reported by number and reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from impact.models import Measurement, PeriodKind
from impact.services import import_measurements
from tests import clock
from tests.factories_impact import IndicatorFactory, MeasurementFactory, NorthStarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def star():
    return NorthStarFactory(name="Dossiers déposés")


@pytest.fixture
def satisfaction(star):
    return IndicatorFactory(startup=star.startup, name="Satisfaction", can_be_negative=False)


def values(indicator):
    return {
        (m.period_kind, m.period_start): m.value
        for m in Measurement.objects.filter(indicator=indicator)
    }


def test_it_imports_months_days_decimal_commas_and_a_header(star, satisfaction):
    content = (
        "\ufeffindicator;period;value\n"
        "Dossiers déposés;2025-01;1 234\n"
        "dossiers deposes;2025-02;1402,5;Matomo;hors doublons\n"
        "Satisfaction;2025-02-15;4.2\n"
    ).encode()
    report = import_measurements(startup=star.startup, file=content, by=None)
    assert report.ok, report.problems
    assert (report.created, report.updated) == (3, 0)
    assert values(star) == {
        (PeriodKind.MONTH, date(2025, 1, 1)): Decimal(1234),
        (PeriodKind.MONTH, date(2025, 2, 1)): Decimal("1402.5"),
    }
    february = Measurement.objects.get(indicator=star, period_start=date(2025, 2, 1))
    assert (february.source, february.comment) == ("Matomo", "hors doublons")
    assert values(satisfaction) == {(PeriodKind.DAY, date(2025, 2, 15)): Decimal("4.2")}


def test_broken_lines_are_reported_and_good_lines_saved(star, satisfaction):
    future = clock.today().replace(day=1).replace(year=clock.today().year + 1)
    content = "\n".join(
        [
            "indicator;period;value",  # 1 header
            "Dossiers déposés;2025-01;100",  # 2 good
            "Inconnu;2025-01;5",  # 3 unknown indicator
            "Dossiers déposés;2025-13;5",  # 4 impossible month
            "Dossiers déposés;mars 2025;5",  # 5 unreadable period
            "Dossiers déposés;2025-03;beaucoup",  # 6 not a number
            "Satisfaction;2025-03;-2",  # 7 negative
            "Dossiers déposés;2025-01;120",  # 8 duplicate of line 2
            "Dossiers déposés,2025-04,5",  # 9 wrong separator
            "",  # 10 blank: skipped
            "Dossiers déposés;2025-05",  # 11 missing column
            f"Dossiers déposés;{future:%Y-%m};5",  # 12 future
            "Dossiers déposés;2025-06;=1+1",  # 13 formula, not a number
            "Dossiers déposés;2025-02-30;3",  # 14 impossible day
            "Satisfaction;2025-03;4,5",  # 15 good
        ]
    ).encode()
    report = import_measurements(startup=star.startup, file=content, by=None)
    reasons = {problem.number: problem.reason for problem in report.problems}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14}
    assert "indicateur inconnu « Inconnu »" in reasons[3]
    assert "période impossible" in reasons[4]
    assert "période illisible" in reasons[5]
    assert "valeur non numérique « beaucoup »" in reasons[6]
    assert "valeur négative impossible pour « Satisfaction »" in reasons[7]
    assert "ligne en double" in reasons[8] and "ligne 2" in reasons[8]
    assert "séparateur attendu « ; »" in reasons[9]
    assert "colonne" in reasons[11]
    assert "futur" in reasons[12]
    assert "non numérique" in reasons[13]
    assert "période impossible" in reasons[14]
    assert report.created == 2
    assert values(star) == {(PeriodKind.MONTH, date(2025, 1, 1)): Decimal(100)}
    assert "2 valeur(s) ajoutée(s)" in report.summary()
    assert "11 ligne(s) refusée(s)" in report.summary()


def test_a_correction_updates_the_value_and_history_keeps_the_old_one(star, staff_user):
    MeasurementFactory(indicator=star, period_start=date(2025, 1, 1), value=Decimal(100))
    report = import_measurements(
        startup=star.startup,
        file=b"Dossiers d\xc3\xa9pos\xc3\xa9s;2025-01;110\nDossiers d\xc3\xa9pos\xc3\xa9s;2025-01-20;3\n",
        by=staff_user,
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    january = Measurement.objects.get(indicator=star, period_kind="month")
    assert january.value == 110
    history = list(january.history.order_by("history_date"))
    assert [h.value for h in history] == [100, 110]
    assert history[-1].history_user == staff_user
    assert history[-1].history_change_reason == "import CSV"
    again = import_measurements(
        startup=star.startup, file=b"Dossiers d\xc3\xa9pos\xc3\xa9s;2025-01;110\n"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_another_encoding_is_refused_with_a_clear_message_and_nothing_saved(star):
    content = "Dossiers déposés;2025-01;100\n".encode("cp1252")
    report = import_measurements(startup=star.startup, file=content)
    assert not report.ok
    assert "n'est pas en UTF-8" in report.fatal
    assert not Measurement.objects.exists()


def test_indicators_of_another_startup_are_unknown(star):
    other = NorthStarFactory(name="Dossiers déposés")
    report = import_measurements(startup=other.startup, file=b"Inconnu;2025-01;1\n")
    assert report.problems[0].number == 1
    assert not Measurement.objects.filter(indicator=star).exists()


def test_the_staff_upload_page_shows_the_report(staff_client, star):
    page = staff_client.get(f"/admin/impact/indicator/import/?startup={star.startup.pk}")
    assert page.status_code == 200
    assert "Importer des mesures" in page.content.decode()
    upload = SimpleUploadedFile(
        "mesures.csv", "Dossiers déposés;2025-01;100\nFaux;2025-01;1\n".encode(), "text/csv"
    )
    response = staff_client.post(
        "/admin/impact/indicator/import/", {"startup": star.startup.pk, "file": upload}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "1 valeur(s) ajoutée(s)" in content
    assert "indicateur inconnu « Faux »" in content
    assert Measurement.objects.count() == 1


def test_the_upload_page_is_for_staff_only(client, star):
    response = client.get("/admin/impact/indicator/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
