"""Public budget: /budget/, /api/v2/budget.json and .csv, the startup block, the demo."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template

from budgets.models import Allocation
from tests.factories import StartupFactory
from tests.factories_budgets import (
    AllocationFactory,
    CommitmentFactory,
    PaymentFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


def budget(size: int):
    """`size` startups with an allocation, two commitments and a payment each."""
    tranche = TrancheFactory(convention__reference="CONV-PUB")
    for n in range(size):
        allocation = AllocationFactory(tranche=tranche, amount=D("1000"))
        CommitmentFactory(allocation=allocation, amount=D("300.10"), activity="design")
        commitment = CommitmentFactory(
            allocation=allocation, amount=D("200"), committed_on=date(2026, 1, 5 + n % 20)
        )
        PaymentFactory(commitment=commitment, amount=D("50.05"), paid_on=date(2026, 2, 1))


def test_the_programme_page_shows_totals_a_chart_and_a_table(client):
    budget(3)
    response = client.get("/budget/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Budget du programme</h1>" in content
    assert "CONV-PUB" in content
    # The chart names the table that holds the same figures (never the only way to read them).
    assert 'role="img"' in content and 'aria-describedby="budget-annees-donnees"' in content
    assert '<table id="budget-annees-donnees">' in content
    assert "Totaux par année" in content and "Totaux par catégorie" in content
    # 3 × 500,10 € committed, 3 × 50,05 € paid.
    assert "1\u202f500,30\xa0€" in content
    assert "150,15\xa0€" in content
    assert "Prestataire Secret" not in content and "BC-" not in content
    assert response["ETag"]


def test_the_programme_page_without_data(client):
    response = client.get("/budget/")
    assert response.status_code == 200
    assert "Aucune convention" in response.content.decode()


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("url", ["/budget/", "/api/v2/budget.json", "/api/v2/budget.csv"])
def test_public_budget_pages_cost_a_fixed_number_of_queries(
    client, size, url, django_assert_max_num_queries
):
    budget(size)
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_the_json_api_hides_staff_only_references(client):
    CommitmentFactory(supplier="Secret SARL", purchase_order="BC-SECRET")
    CommitmentFactory(
        supplier="Coaching Public", purchase_order="BC-PUBLIC", references_public=True
    )
    payload = json.loads(client.get("/api/v2/budget.json").content)
    lines = {line["fournisseur"]: line for line in payload["engagements"]}
    assert set(lines) == {None, "Coaching Public"}
    assert lines["Coaching Public"]["bon_de_commande"] == "BC-PUBLIC"
    assert "Secret" not in json.dumps(payload)
    assert lines[None]["montant_engage"] == "10000.00"
    assert payload["total"]["engage"] == "20000.00"


def test_the_csv_api_is_utf8_semicolons_and_neutralises_formulas(client):
    CommitmentFactory(
        label='=HYPERLINK("http://x")',
        supplier="@evil",
        references_public=True,
        allocation__startup__title="Données – été",
    )
    response = client.get("/api/v2/budget.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")), delimiter=";"))
    header, row = rows
    assert header[:3] == ["convention", "tranche", "startup"]
    record = dict(zip(header, row, strict=True))
    assert record["objet"] == '\'=HYPERLINK("http://x")'
    assert record["fournisseur"] == "'@evil"
    assert record["startup_nom"] == "Données – été"
    assert record["montant_engage"] == "10000.00"


def test_public_pages_see_a_change_at_once(client):
    budget(1)
    first = client.get("/budget/")
    CommitmentFactory(allocation=Allocation.objects.get(), amount=D("0.01"))
    second = client.get("/budget/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]


def render_block(startup) -> str:
    return Template("{% load budgets_tags %}{% startup_budget startup %}").render(
        Context({"startup": startup})
    )


def test_the_startup_block_by_year_and_category(django_assert_num_queries):
    allocation = AllocationFactory(amount=D("700000"), startup__id="1000.jours")
    CommitmentFactory(
        allocation=allocation, amount=D("1234.56"), supplier="Secret SARL", purchase_order="BC-77"
    )
    PaymentFactory(
        commitment=allocation.commitments.get(), amount=D("234.56"), paid_on=date(2025, 5, 1)
    )
    with django_assert_num_queries(3):
        html = render_block(allocation.startup)
    assert allocation.tranche.convention.reference in html
    assert "700\u202f000,00\xa0€" in html and "1\u202f234,56\xa0€" in html
    assert "1\u202f000,00\xa0€" in html  # reste à payer
    assert "Par année" in html and "2025" in html
    assert "Par catégorie de dépense" in html and "Développement" in html
    assert "Secret" not in html and "BC-77" not in html


def test_the_startup_block_without_data(django_assert_num_queries):
    startup = StartupFactory()
    with django_assert_num_queries(1):
        assert "Pas encore de données budgétaires" in render_block(startup)


def test_the_json_reste_a_payer_of_a_year_is_the_page_s(client):
    """Committed in 2025, paid in 2025 and 2026: the reste à payer at 31/12/2025 is what is
    still owed then, as /budget/ shows it, not 2025's commitments minus 2025's payments."""
    commitment = CommitmentFactory(committed_on=date(2025, 3, 1), amount=Decimal("1000.00"))
    PaymentFactory(
        commitment=commitment,
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=Decimal("300.00"),
    )
    PaymentFactory(
        commitment=commitment,
        service_done_on=date(2026, 2, 1),
        paid_on=date(2026, 2, 15),
        amount=Decimal("200.00"),
    )
    years = {line["annee"]: line for line in client.get("/api/v2/budget.json").json()["annees"]}
    assert (years[2025]["reste_a_payer"], years[2025]["reste_a_payer_au"]) == (
        "700.00",
        "2025-12-31",
    )
    # 2026 in progress (SUITE_NOW: 18/11/2026): today's figure, said as such.
    assert (years[2026]["engage"], years[2026]["paye"]) == ("0.00", "200.00")
    assert (years[2026]["reste_a_payer"], years[2026]["reste_a_payer_au"]) == (
        "500.00",
        "2026-11-18",
    )


def test_the_startup_block_without_data_is_the_html_the_template_wrote():
    assert render_block(StartupFactory(id="sans.budget")) == (
        '\n<section class="fr-mt-4w" aria-labelledby="budget-sansbudget">\n'
        '  <h2 id="budget-sansbudget">Budget</h2>\n'
        "  \n"
        "    <p>Pas encore de données budgétaires.</p>\n"
        "  \n"
        "</section>\n"
    )
