"""A dossier's criteria and objectives are rows (never JSON typed by hand), checked on save by
the form, the model and the database; the partner's page shows what the staff form accepted."""

import importlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from committees.models import Dossier
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, dossier_for
from tests.factories_impact import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(organisation_a):
    committee = CommitteeFactory(date=TODAY + timedelta(days=21))
    startup = StartupFactory(title="Service de A", sponsors=[organisation_a])
    return dossier_for(committee, startup, success_criteria=[])


def change_form(staff_client, dossier) -> tuple[str, dict]:
    url = f"/admin/committees/dossier/{dossier.pk}/change/"
    return url, form_data(staff_client.get(url).content.decode())


def test_staff_fill_criteria_and_objectives_as_rows_and_the_partner_reads_them(
    staff_client, partner_a, dossier
):
    url, data = change_form(staff_client, dossier)
    assert data["success_criteria-count"] == "3"  # three empty rows to fill, no JSON box
    data.update(
        {
            "success_criteria-0-criterion": "Dossiers déposés par mois",
            "success_criteria-0-kind": "quantitative",
            "success_criteria-0-target": "2 000",
            "success_criteria-1-criterion": "Satisfaction des agents",
            "success_criteria-1-kind": "qualitative",
            # row 2 left empty: dropped (its select still holds a value)
            "previous_objectives-0-objective": "Ouvrir trois territoires",
            "previous_objectives-0-status": "partly",
            "previous_objectives-0-comment": "Deux sur trois",
            "team_size": "4.5",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    dossier.refresh_from_db()
    assert dossier.success_criteria == [
        {"criterion": "Dossiers déposés par mois", "kind": "quantitative", "target": "2 000"},
        {"criterion": "Satisfaction des agents", "kind": "qualitative", "target": ""},
    ]
    assert dossier.previous_objectives == [
        {"objective": "Ouvrir trois territoires", "status": "partly", "comment": "Deux sur trois"}
    ]
    # The form shows the saved rows and offers empty ones again.
    _, again = change_form(staff_client, dossier)
    assert again["success_criteria-count"] == "5"
    assert again["success_criteria-1-criterion"] == "Satisfaction des agents"

    partner = Client()
    partner.force_login(partner_a)
    page = partner.get(f"/partenaires/dossiers/{dossier.pk}/")
    assert page.status_code == 200
    content = page.content.decode()
    for text in ("Dossiers déposés par mois", "quantitatif", "Ouvrir trois territoires", "4,5 ETP"):
        assert text in content


def test_a_row_without_its_criterion_is_refused_naming_the_line_and_nothing_is_saved(
    staff_client, dossier
):
    url, data = change_form(staff_client, dossier)
    data.update(
        {
            "success_criteria-0-criterion": "Dossiers déposés",
            "success_criteria-1-target": "8/10",  # a target without its criterion
            "problem": "Un problème réécrit",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Critères de réussite, ligne 2 : le critère est vide." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.success_criteria == []
    assert dossier.problem == "Les usagers attendent des semaines une réponse."


def test_a_forged_row_count_is_bounded(staff_client, dossier):
    url, data = change_form(staff_client, dossier)
    data["success_criteria-count"] = "99999999"
    data["success_criteria-0-criterion"] = "Un critère"
    data["success_criteria-0-kind"] = "qualitative"
    assert staff_client.post(url, data).status_code == 302
    dossier.refresh_from_db()
    assert [row["criterion"] for row in dossier.success_criteria] == ["Un critère"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("success_criteria", ["Dossiers déposés"], "ligne 1 : elle doit avoir les colonnes"),
        ("success_criteria", {"criterion": "x"}, "une liste de lignes est attendue"),
        (
            "success_criteria",
            [{"criterion": "x", "kind": "beaucoup", "target": ""}],
            "« beaucoup » n'est pas une valeur possible",
        ),
        (
            "success_criteria",
            [{"criterion": "x", "kind": "qualitative", "target": 3}],
            "chaque colonne est un texte",
        ),
        ("previous_objectives", ["Ouvrir"], "Objectifs du dernier comité, ligne 1"),
        (
            "previous_objectives",
            [{"objective": " \t", "status": "", "comment": ""}],
            "l'objectif est vide",
        ),
    ],
)
def test_the_model_and_the_database_refuse_rows_of_the_wrong_shape(dossier, field, value, message):
    setattr(dossier, field, value)
    with pytest.raises(ValidationError, match=message):
        dossier.full_clean()
    # Whatever writes past the model (a script, an update) meets the database's constraint.
    with pytest.raises(IntegrityError, match=f"dossier_{field}_rows"), transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(**{field: value})


def test_the_database_accepts_complete_rows_and_an_empty_list(dossier):
    Dossier.objects.filter(pk=dossier.pk).update(
        success_criteria=[{"criterion": "x", "kind": "qualitative", "target": ""}],
        previous_objectives=[],
    )


def test_a_team_size_of_zero_is_refused(dossier):
    with pytest.raises(IntegrityError, match="dossier_team_size_positive"), transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(team_size=0)


def test_the_migration_completes_rows_saved_before_the_shape_was_checked():
    migration = importlib.import_module("committees.migrations.0004_dossier_rows_and_decimal_team")
    assert migration.rows_of(
        ["Dossiers déposés", {"criterion": "Délai", "kind": "rapide", "target": 3}, {"kind": "x"}],
        ("criterion", "kind", "target"),
        {"kind": ({"quantitative", "qualitative"}, "qualitative")},
    ) == [
        {"criterion": "Dossiers déposés", "kind": "qualitative", "target": ""},
        {"criterion": "Délai", "kind": "qualitative", "target": "3"},
    ]


def test_the_partner_reads_the_phase_and_that_a_dossier_is_incomplete(partner_a, organisation_a):
    from tests.factories import startup_with_phases

    startup = startup_with_phases(
        ("construction", TODAY - timedelta(days=400)),
        title="Service de A",
        sponsors=[organisation_a],
    )
    dossier = dossier_for(
        CommitteeFactory(date=TODAY + timedelta(days=21)),
        startup,
        next_strategy="",
        success_criteria=[],
    )
    partner = Client()
    partner.force_login(partner_a)
    content = partner.get(f"/partenaires/dossiers/{dossier.pk}/").content.decode()
    assert "Construction</span>" in content and "depuis 400 jours" in content
    assert "Dossier incomplet : manque stratégie à venir, critères de réussite." in content
