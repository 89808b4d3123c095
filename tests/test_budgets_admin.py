"""The staff admin: saves go through the services, refusals show on the form (never a 500),
figures on change pages, filters, export, spreadsheet import with a line-by-line report."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets.models import Commitment, Payment
from tests.factories_budgets import AllocationFactory, CommitmentFactory, PaymentFactory

pytestmark = pytest.mark.django_db

D = Decimal


def commitment_form(allocation, amount):
    return {
        "allocation": allocation.pk,
        "committed_on": "01/03/2025",
        "label": "Sprint",
        "supplier": "ACME",
        "purchase_order": "BC-1",
        "public_contract": "developpement",
        "activity": "developpement",
        "resource": "prestations",
        "amount": amount,
        "tax_basis": "TTC",
    }


def test_a_refused_commitment_shows_the_french_message_on_the_form(staff_client):
    allocation = AllocationFactory(amount=D("1000"), startup__title="Mon Service")
    CommitmentFactory(allocation=allocation, amount=D("900"))
    response = staff_client.post(
        "/admin/budgets/commitment/add/", commitment_form(allocation, "100.01")
    )
    assert response.status_code == 200
    assert (
        "Engagement refusé : il reste 100,00 € disponibles sur l&#x27;allocation « Mon Service »"
        in response.content.decode()
    )
    assert Commitment.objects.count() == 1


def test_a_good_commitment_is_saved_with_its_author(staff_client, staff_user):
    allocation = AllocationFactory(amount=D("1000"))
    response = staff_client.post(
        "/admin/budgets/commitment/add/", commitment_form(allocation, "100,50")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment = Commitment.objects.get()
    assert commitment.amount == D("100.50")
    assert commitment.history.get().history_user == staff_user


def test_a_refused_payment_shows_the_message(staff_client):
    commitment = CommitmentFactory(amount=D("100"))
    response = staff_client.post(
        "/admin/budgets/payment/add/",
        {
            "commitment": commitment.pk,
            "service_done_on": "01/04/2025",
            "paid_on": "02/04/2025",
            "amount": "100.01",
        },
    )
    assert response.status_code == 200
    assert "il reste 100,00 € à payer" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_database_constraint_shows_as_a_form_error(staff_client):
    commitment = CommitmentFactory(amount=D("100"))
    response = staff_client.post(
        "/admin/budgets/payment/add/",
        {
            "commitment": commitment.pk,
            "service_done_on": "05/04/2025",
            "paid_on": "02/04/2025",
            "amount": "10",
        },
    )
    assert response.status_code == 200
    assert "Le paiement ne peut pas précéder le service fait." in response.content.decode()


def test_change_pages_show_the_figures(staff_client):
    payment = PaymentFactory(amount=D("1234.56"))
    commitment = payment.commitment
    allocation = commitment.allocation
    tranche = allocation.tranche
    for url in (
        f"/admin/budgets/convention/{tranche.convention_id}/change/",
        f"/admin/budgets/tranche/{tranche.pk}/change/",
        f"/admin/budgets/allocation/{allocation.pk}/change/",
        f"/admin/budgets/commitment/{commitment.pk}/change/",
        f"/admin/budgets/payment/{payment.pk}/change/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        if "payment" not in url:
            assert "Reste à payer" in response.content.decode(), url
            assert "1\xa0234,56\xa0€" in response.content.decode(), url


@pytest.mark.parametrize(
    "url",
    [
        "/admin/budgets/convention/",
        "/admin/budgets/tranche/",
        "/admin/budgets/allocation/?startup__id__exact=x",
        "/admin/budgets/commitment/?activity=developpement&mois=2025-03",
        "/admin/budgets/payment/?mois=2025-04",
        "/admin/budgets/amendment/",
    ],
)
def test_lists_and_filters(staff_client, url):
    PaymentFactory()
    assert staff_client.get(url).status_code == 200


def test_the_commitment_list_costs_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    for _ in range(10):
        PaymentFactory()
    with django_assert_max_num_queries(15):
        assert staff_client.get("/admin/budgets/commitment/").status_code == 200


def test_export_to_csv_and_xlsx(staff_client):
    CommitmentFactory(supplier="ACME", amount=D("12.34"))
    response = staff_client.post(
        "/admin/budgets/commitment/export/",
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{
                f"commitmentresource_{f}": "on"
                for f in (
                    "convention",
                    "tranche",
                    "beneficiary",
                    "committed_on",
                    "supplier",
                    "purchase_order",
                    "public_contract",
                    "activity",
                    "resource_kind",
                    "amount",
                    "tax_basis",
                    "label",
                )
            },
        },
    )
    assert response.status_code == 200
    assert "ACME" in response.content.decode()
    assert "12.34" in response.content.decode()


def test_import_commitments_reports_each_line(staff_client):
    allocation = AllocationFactory(
        amount=D("1000"), tranche__convention__reference="CONV-IMP", tranche__number=1
    )
    csv = (
        "convention;tranche;bénéficiaire;date;fournisseur;bon de commande;marché;activité;"
        "ressource;montant;HT/TTC;objet;public\n"
        f"CONV-IMP;1;{allocation.startup_id};01/03/2025;ACME;BC-1;Marché Coaching;Coaching / pilotage;"
        "Prestations externes;600,00;TTC;Coaching;oui\n"
        f"CONV-IMP;1;{allocation.startup_id};02/03/2025;ACME;BC-2;;développement;prestations;"
        "500;TTC;;\n"
        "CONV-IMP;1;inconnue;02/03/2025;ACME;BC-3;;design;prestations;1;TTC;;\n"
        f"CONV-IMP;1;{allocation.startup_id};pas une date;ACME;BC-4;;design;prestations;1;TTC;;\n"
        f"CONV-IMP;1;{allocation.startup_id};03/03/2025;ACME;BC-5;;design;prestations;10,001;;;\n"
        f"CONV-IMP;1;{allocation.startup_id};03/03/2025;ACME;BC-6;;design;prestations;400;;;\n"
    )
    upload = SimpleUploadedFile("engagements.csv", csv.encode(), content_type="text/csv")
    response = staff_client.post("/admin/budgets/commitment/importer/", {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "2 ligne(s) importée(s), 0 déjà présente(s), 4 refusée(s)." in content
    assert "il reste 400,00 € disponibles" in content  # line 3
    assert "aucune allocation unique pour « inconnue »" in content  # line 4
    assert "n&#x27;est pas une date" in content  # line 5
    assert "au centime près" in content  # line 6
    assert sorted(Commitment.objects.values_list("purchase_order", flat=True)) == ["BC-1", "BC-6"]
    assert Commitment.objects.get(purchase_order="BC-1").references_public

    upload = SimpleUploadedFile("engagements.csv", csv.encode(), content_type="text/csv")
    response = staff_client.post("/admin/budgets/commitment/importer/", {"file": upload})
    assert "0 ligne(s) importée(s), 2 déjà présente(s)" in response.content.decode()


def test_import_payments_from_xlsx(staff_client):
    import tablib

    CommitmentFactory(purchase_order="BC-9", amount=D("100"))
    dataset = tablib.Dataset(
        headers=["bon de commande", "service fait", "date de paiement", "montant"]
    )
    dataset.append(["BC-9", date(2025, 4, 1), date(2025, 4, 20), 60.5])
    dataset.append(["BC-9", date(2025, 5, 1), date(2025, 5, 20), 40])
    dataset.append(["BC-404", date(2025, 5, 1), date(2025, 5, 20), 1])
    upload = SimpleUploadedFile("paiements.xlsx", dataset.export("xlsx"))
    response = staff_client.post("/admin/budgets/payment/importer/", {"file": upload})
    content = response.content.decode()
    assert "1 ligne(s) importée(s), 0 déjà présente(s), 2 refusée(s)." in content
    assert "il reste 39,50 € à payer" in content
    assert "bon de commande « BC-404 » : aucun engagement." in content
    assert Payment.objects.get().amount == D("60.50")
