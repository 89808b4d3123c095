"""The staff admin over startups: lists at a constant query count, clear French errors."""

from datetime import date, timedelta

import pytest

from startups.models import Phase, Startup
from tests.clock import TODAY
from tests.factories import OrganisationFactory, startup_with_phases

pytestmark = pytest.mark.django_db


def many_startups(count):
    sponsor = OrganisationFactory()
    for n in range(count):
        startup_with_phases(
            ("investigation", TODAY - timedelta(days=300 + n)),
            ("construction", TODAY - timedelta(days=200)),
            sponsors=[sponsor],
        )


@pytest.mark.parametrize("count", [3, 30])
def test_the_changelist_costs_the_same_number_of_queries_at_any_size(
    staff_client, count, django_assert_max_num_queries
):
    many_startups(count)
    with django_assert_max_num_queries(14):
        response = staff_client.get("/admin/startups/startup/")
    assert response.status_code == 200
    assert "Construction" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["phase=construction", "statut=active", "depassement=oui", "q=startup", "phase=none"],
)
def test_the_changelist_filters(staff_client, query):
    many_startups(3)
    overstaying = startup_with_phases(
        ("investigation", TODAY - timedelta(days=200)), title="Trop longue"
    )
    response = staff_client.get(f"/admin/startups/startup/?{query}")
    assert response.status_code == 200
    if query == "depassement=oui":
        content = response.content.decode()
        assert overstaying.title in content and "+137 j" in content


def inline_data(startup, phases):
    """The POST of a startup's change form with the given phases [(id, kind, start, end)]."""
    data = {
        "id": startup.id,
        "title": startup.title,
        "mission": startup.mission,
        "description": startup.description,
        "contact": startup.contact,
        "incubator": startup.incubator_id,
        "user_types": "",
        "themes": "",
        "technologies": "",
        "accessibility_status": "",
        "risk_analysis_done": "unknown",
        "has_stats_page": "unknown",
        "mon_service_securise": "unknown",
        "phases-TOTAL_FORMS": str(len(phases)),
        "phases-INITIAL_FORMS": str(sum(1 for p in phases if p[0])),
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "import_corrections-TOTAL_FORMS": "0",
        "import_corrections-INITIAL_FORMS": "0",
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
    }
    for index, (pk, kind, start, end) in enumerate(phases):
        data.update(
            {
                f"phases-{index}-id": pk or "",
                f"phases-{index}-startup": startup.pk,
                f"phases-{index}-kind": kind,
                f"phases-{index}-start": start.isoformat() if start else "",
                f"phases-{index}-end": end.isoformat() if end else "",
                f"phases-{index}-comment": "",
            }
        )
    return data


def change_url(startup):
    return f"/admin/startups/startup/{startup.pk}/change/"


def test_an_overlap_entered_in_the_admin_is_a_french_form_error(staff_client):
    startup = startup_with_phases(("investigation", date(2024, 1, 1)))
    phase = startup.phases.get()
    data = inline_data(
        startup,
        [
            (phase.pk, "investigation", date(2024, 1, 1), None),
            (None, "construction", date(2024, 3, 1), None),
        ],
    )
    response = staff_client.post(change_url(startup), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "chevauche" in content and "terminez-la au plus tard le 29/02/2024" in content
    assert startup.phases.count() == 1


def test_ending_a_phase_and_starting_the_next_in_one_save_works(staff_client):
    startup = startup_with_phases(("investigation", date(2024, 1, 1)))
    phase = startup.phases.get()
    data = inline_data(
        startup,
        [
            (phase.pk, "investigation", date(2024, 1, 1), date(2024, 2, 29)),
            (None, "construction", date(2024, 3, 1), None),
        ],
    )
    response = staff_client.post(change_url(startup), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(startup.phases.values_list("kind", flat=True)) == ["investigation", "construction"]


def test_moving_the_boundary_between_two_phases_later_works(staff_client):
    startup = startup_with_phases(
        ("investigation", date(2024, 1, 1)), ("construction", date(2024, 3, 1))
    )
    first, second = startup.phases.order_by("start")
    data = inline_data(
        startup,
        [
            (first.pk, "investigation", date(2024, 1, 1), date(2024, 3, 14)),
            (second.pk, "construction", date(2024, 3, 15), None),
        ],
    )
    assert staff_client.post(change_url(startup), data).status_code == 302
    assert Phase.objects.get(pk=second.pk).start == date(2024, 3, 15)


def test_an_end_before_the_start_is_a_french_form_error(staff_client):
    startup = startup_with_phases(("investigation", date(2024, 1, 1)))
    phase = startup.phases.get()
    data = inline_data(startup, [(phase.pk, "investigation", date(2024, 1, 1), date(2023, 1, 1))])
    content = staff_client.post(change_url(startup), data).content.decode()
    assert "La fin d&#x27;une phase ne peut pas précéder son début." in content


def test_a_phase_entered_in_the_admin_needs_a_start(staff_client):
    startup = startup_with_phases(("investigation", date(2024, 1, 1)))
    phase = startup.phases.get()
    data = inline_data(
        startup,
        [
            (phase.pk, "investigation", date(2024, 1, 1), None),
            (None, "construction", None, None),
        ],
    )
    content = staff_client.post(change_url(startup), data).content.decode()
    assert "Indiquez la date de début de la phase." in content
    assert startup.phases.count() == 1


def test_an_imported_undated_phase_may_stay_undated_or_be_dated(staff_client):
    startup = startup_with_phases(("construction", date(2020, 1, 6)))
    dated = startup.phases.get()
    undated = Phase.objects.create(startup=startup, kind="transfere", start=None)
    data = inline_data(
        startup,
        [
            (dated.pk, "construction", date(2020, 1, 6), None),
            (undated.pk, "transfere", None, None),
        ],
    )
    response = staff_client.post(change_url(startup), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Phase.objects.get(pk=undated.pk).start is None

    data = inline_data(
        startup,
        [
            (dated.pk, "construction", date(2020, 1, 6), date(2022, 3, 31)),
            (undated.pk, "transfere", date(2022, 4, 1), None),
        ],
    )
    assert staff_client.post(change_url(startup), data).status_code == 302
    assert Phase.objects.get(pk=undated.pk).start == date(2022, 4, 1)


def test_changes_are_recorded_with_who_and_when(staff_client, staff_user):
    startup = startup_with_phases(("investigation", date(2024, 1, 1)))
    phase = startup.phases.get()
    data = inline_data(startup, [(phase.pk, "investigation", date(2024, 1, 1), None)])
    data["title"] = "Nouveau nom"
    assert staff_client.post(change_url(startup), data).status_code == 302
    latest = Startup.history.filter(id=startup.id).latest("history_date")
    assert latest.title == "Nouveau nom" and latest.history_user == staff_user
    response = staff_client.get(f"/admin/startups/startup/{startup.pk}/history/")
    assert response.status_code == 200 and "Nouveau nom" in response.content.decode()
