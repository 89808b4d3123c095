"""The staff admin: saves go through the services, refusals show on the form (never a 500),
figures on change pages, filters, export, spreadsheet import with a line-by-line report."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
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
            assert "1\u202f234,56\xa0€" in response.content.decode(), url


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
    assert "12,34" in response.content.decode()


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
    assert "aucune allocation pour « inconnue »" in content  # line 4
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


# --- Review fixes: CSP, exports, buttons, figures of a commitment, ambiguous allocations -----
COMMITMENT_FIELDS = (
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


def export(staff_client, model, file_format, fields):
    response = staff_client.post(
        f"/admin/budgets/{model}/export/",
        {
            "format": file_format,
            "resource": "0",
            "export_items": [],
            **{f"{model}resource_{f}": "on" for f in fields},
        },
    )
    assert response.status_code == 200
    return response.content


def test_budget_admin_pages_have_no_inline_style_and_load_the_stylesheet(staff_client):
    payment = PaymentFactory()
    commitment = payment.commitment
    allocation = commitment.allocation
    refused_line = (
        "convention;tranche;bénéficiaire;date;fournisseur;activité;ressource;montant\n"
        "X;1;inconnue;01/03/2025;ACME;design;prestations;1\n"
    )
    upload = SimpleUploadedFile("e.csv", refused_line.encode(), content_type="text/csv")
    pages = [
        staff_client.get(f"/admin/budgets/convention/{allocation.tranche.convention_id}/change/"),
        staff_client.get(f"/admin/budgets/tranche/{allocation.tranche_id}/change/"),
        staff_client.get(f"/admin/budgets/allocation/{allocation.pk}/change/"),
        staff_client.get(f"/admin/budgets/commitment/{commitment.pk}/change/"),
        staff_client.post("/admin/budgets/commitment/importer/", {"file": upload}),
        staff_client.get("/admin/budgets/convention/rapport-mensuel/?mois=2025-04"),
    ]
    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        assert "style=" not in content, response.request["PATH_INFO"]
        assert "/static/budgets/admin.css" in content, response.request["PATH_INFO"]
    assert "budgets-refused" in pages[4].content.decode()


def test_the_csv_export_prefixes_formulas_and_strips_nothing(staff_client):
    CommitmentFactory(supplier="==1+1", label="-2+3", purchase_order="@SUM(A1)", amount=D("12.5"))
    rows = list(
        csv.reader(
            io.StringIO(
                export(staff_client, "commitment", "0", COMMITMENT_FIELDS).decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["fournisseur"] == "'==1+1"
    assert record["objet"] == "'-2+3"
    assert record["bon de commande"] == "'@SUM(A1)"
    assert record["montant"] == "12,50"  # a decimal comma: a number for a French spreadsheet


def test_the_csv_export_opens_in_a_french_spreadsheet(staff_client):
    CommitmentFactory(supplier="Société générale d'ingénierie", amount=D("1234.5"))
    content = export(staff_client, "commitment", "0", COMMITMENT_FIELDS)
    assert content.startswith("\ufeff".encode())  # the BOM: accents read as UTF-8
    text = content.decode("utf-8-sig")
    assert "Société générale d'ingénierie" in text and ";1234,50" in text


def test_the_xlsx_export_keeps_amounts_as_numbers_and_neutralises_text(staff_client):
    PaymentFactory(reference="\tcmd", amount=D("60.25"), commitment__purchase_order="+BC")
    content = export(staff_client, "payment", "1", ["purchase_order", "amount", "reference"])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, row = [[cell.value for cell in r] for r in sheet.iter_rows()]
    record = dict(zip(header, row, strict=True))
    assert record["bon de commande"] == "'+BC"
    assert record["référence"] == "'\tcmd"
    assert record["montant"] == 60.25  # a number, not text


def test_the_lists_link_to_the_monthly_report_and_the_imports(staff_client):
    content = staff_client.get("/admin/budgets/convention/").content.decode()
    assert '<a href="/admin/budgets/convention/rapport-mensuel/">Rapport mensuel</a>' in content
    for model in ("commitment", "payment"):
        content = staff_client.get(f"/admin/budgets/{model}/").content.decode()
        assert f'<a href="/admin/budgets/{model}/importer/">Importer un tableur</a>' in content
        assert f"/admin/budgets/{model}/export/" in content  # django-import-export's button


def test_a_commitment_page_shows_its_own_money_and_its_allocations_figures(staff_client):
    allocation = AllocationFactory(amount=D("200000"))
    commitment = CommitmentFactory(allocation=allocation, amount=D("150000"))
    PaymentFactory(commitment=commitment, amount=D("50000"))
    response = staff_client.get(f"/admin/budgets/commitment/{commitment.pk}/change/")
    figures = response.content.decode().split("field-figures_display", 1)[1].split("</table>")[0]
    row = "<tr><th scope='row'>{}</th><td class='amount'>{}</td></tr>".format
    assert row("Montant de l&#x27;engagement (AE)", "150\u202f000,00\xa0€") in figures
    assert row("Payé sur cet engagement (CP)", "50\u202f000,00\xa0€") in figures
    assert row("Reste à payer sur cet engagement", "100\u202f000,00\xa0€") in figures
    assert row("Montant de l&#x27;allocation", "200\u202f000,00\xa0€") in figures
    assert (
        row("Disponible sur l&#x27;allocation (alloué − engagé)", "50\u202f000,00\xa0€") in figures
    )
    assert "Son allocation" in figures
    for misleading in ("-150", "'amount'>0,00\xa0€", "pas de dépense récente", "Rythme"):
        assert misleading not in figures


def test_two_allocations_of_one_startup_on_one_tranche_are_told_apart(staff_client):
    first = AllocationFactory(
        amount=D("1000"), tranche__convention__reference="CONV-2", tranche__number=1
    )
    second = AllocationFactory(
        tranche=first.tranche, startup=first.startup, amount=D("300"), purpose="Accélération"
    )
    assert str(first) != str(second)
    assert "300,00 €" in str(second) and "Accélération" in str(second)
    header = (
        "convention;tranche;bénéficiaire;date;fournisseur;bon de commande;activité;ressource;"
        "montant;allocation;objet de l'allocation\n"
    )
    line = f"CONV-2;1;{first.startup_id};01/03/2025;ACME;BC-{{}};design;prestations;10;{{}};{{}}\n"
    sheet = (
        header
        + line.format(1, "", "")  # ambiguous
        + line.format(2, second.pk, "")  # by number
        + line.format(3, "", "six mois de construction")  # by purpose
        + line.format(4, 999999, "")  # a number that is not one of them
    )
    upload = SimpleUploadedFile("e.csv", sheet.encode(), content_type="text/csv")
    content = staff_client.post("/admin/budgets/commitment/importer/", {"file": upload})
    content = content.content.decode()
    assert "2 ligne(s) importée(s), 0 déjà présente(s), 2 refusée(s)." in content
    assert "plusieurs allocations pour" in content
    assert "ajoutez une colonne « allocation »" in content
    assert "l&#x27;allocation n° 999999 n&#x27;est pas une allocation de" in content
    assert Commitment.objects.get(purchase_order="BC-2").allocation == second
    assert Commitment.objects.get(purchase_order="BC-3").allocation == first

    # The old columns still work when the beneficiary has one allocation on the tranche.
    Commitment.objects.filter(allocation=second).delete()
    second.delete()
    upload = SimpleUploadedFile("e.csv", (header + line.format(5, "", "")).encode())
    content = staff_client.post("/admin/budgets/commitment/importer/", {"file": upload})
    assert "1 ligne(s) importée(s)" in content.content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1" + "0" * 40, "montant illisible ou trop grand"),
        ("1e3", "la notation scientifique n&#x27;est pas acceptée"),
    ],
)
def test_an_unreadable_amount_in_the_import_is_refused_in_french(staff_client, amount, message):
    allocation = AllocationFactory(tranche__convention__reference="CONV-3", tranche__number=1)
    sheet = (
        "convention;tranche;bénéficiaire;date;fournisseur;activité;ressource;montant\n"
        f"CONV-3;1;{allocation.startup_id};01/03/2025;ACME;design;prestations;{amount}\n"
    )
    upload = SimpleUploadedFile("e.csv", sheet.encode(), content_type="text/csv")
    response = staff_client.post("/admin/budgets/commitment/importer/", {"file": upload})
    assert response.status_code == 200
    assert "0 ligne(s) importée(s), 0 déjà présente(s), 1 refusée(s)." in response.content.decode()
    assert message in response.content.decode()
    assert not Commitment.objects.exists()
