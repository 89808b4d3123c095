"""Hostile input through the real entry points: admin forms as staff, the partner review form,
the measurement CSV import, the budgets spreadsheet import, the beta.gouv.fr importer, the
committee attachments, and every CSV export.

One test per kind of hostile input: huge values, negative money, dates in year 9999 and year 1,
HTML/JS in text fields, wrong encodings, CSV injection. Each ends in a clear French message or
in inert output, and nothing half-written (rows counted before and after).
"""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility, call_command

from budgets.models import Allocation, Commitment, Convention, Payment, Tranche
from committees.models import Attachment, Dossier, PartnerReview
from impact.models import Measurement
from startups.models import Incubator, Organisation, Phase, Startup
from startups.phases import PhaseKind
from tests.factories import IncubatorFactory, StartupFactory, startup_with_phases
from tests.factories_budgets import (
    AllocationFactory,
    CommitmentFactory,
    ConventionFactory,
    PaymentFactory,
    TrancheFactory,
)
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for
from tests.factories_impact import IndicatorFactory, NorthStarFactory, form_data

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HOSTILE_TEXT = f'{SCRIPT}<img src=x onerror=alert(2)>"><svg onload=alert(3)>'
FORMULAS = ["=", "+", "-", "@", "\t", "\r"]
# What spreadsheets also run: blanks before a sign, full-width signs (issue 18).
DISGUISED_FORMULAS = [" =", "\t=", "\n=", "\u3000=", "＝", "＋", "－", "＠", " ＝"]
HUGE = "1000000000000000"  # 10^15 €


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads never land in the repository
    cache.clear()
    yield
    cache.clear()


def assert_inert(html: str) -> None:
    """The hostile text is shown escaped, never as live markup."""
    assert SCRIPT not in html
    assert "<img src=x onerror" not in html
    assert "<svg onload" not in html


def assert_refused_in_french(response) -> None:
    """The admin form is shown again, titled « Erreur » with its French error list."""
    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur" in content
    assert 'class="errorlist' in content or 'class="errornote' in content


def csv_cells(content: bytes | str) -> list[str]:
    text = content.decode() if isinstance(content, bytes) else content
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def spreadsheet(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def budget_rows() -> tuple[int, int, int, int, int]:
    return (
        Convention.objects.count(),
        Tranche.objects.count(),
        Allocation.objects.count(),
        Commitment.objects.count(),
        Payment.objects.count(),
    )


# --- Admin change forms: every money field --------------------------------------------------
def budget_scene():
    payment = PaymentFactory(
        commitment__allocation__startup__fast_amount=Decimal("1000.00"),
        commitment__allocation__startup__fast_promotion=5,
    )
    commitment = payment.commitment
    allocation = commitment.allocation
    tranche = allocation.tranche
    return {
        "convention": tranche.convention,
        "tranche": tranche,
        "allocation": allocation,
        "commitment": commitment,
        "payment": payment,
    }


MONEY_FIELDS = [
    ("budgets", "convention", "ceiling"),
    ("budgets", "tranche", "ae_amount"),
    ("budgets", "tranche", "cp_amount"),
    ("budgets", "allocation", "amount"),
    ("budgets", "commitment", "amount"),
    ("budgets", "payment", "amount"),
]


def post_change(staff_client, obj, **changes):
    opts = obj._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
    data = {**form_data(staff_client.get(url).content.decode()), **changes}
    return staff_client.post(url, data)


@pytest.mark.parametrize("value", [HUGE, "-0.01"])
@pytest.mark.parametrize(("app", "model", "field"), MONEY_FIELDS)
def test_huge_and_negative_money_is_refused_in_french_by_every_admin_form(
    staff_client, app, model, field, value
):
    scene = budget_scene()
    obj = scene[model]
    before = (getattr(obj, field), budget_rows())
    response = post_change(staff_client, obj, **{field: value})

    assert_refused_in_french(response)
    obj.refresh_from_db()
    assert (getattr(obj, field), budget_rows()) == before


@pytest.mark.parametrize("value", [HUGE, "-1"])
def test_huge_and_negative_money_on_a_dossier_is_refused(staff_client, value):
    dossier = dossier_for(CommitteeFactory(), StartupFactory())
    assert_refused_in_french(post_change(staff_client, dossier, amount_requested=value))
    dossier.refresh_from_db()
    assert Decimal(dossier.amount_requested) == Decimal("300000.00")


def test_a_huge_fast_amount_is_refused(staff_client):
    startup = StartupFactory(fast_promotion=5, fast_amount=Decimal("1000.00"))
    assert_refused_in_french(post_change(staff_client, startup, fast_amount=HUGE))
    startup.refresh_from_db()
    assert startup.fast_amount == Decimal("1000.00")


def test_a_negative_fast_amount_is_refused(staff_client):
    startup = StartupFactory(fast_promotion=5, fast_amount=Decimal("1000.00"))
    assert_refused_in_french(post_change(staff_client, startup, fast_amount="-1"))
    startup.refresh_from_db()
    assert startup.fast_amount == Decimal("1000.00")


@pytest.mark.parametrize("day", ["31/12/9999", "01/01/0001"])
def test_dates_in_year_9999_and_year_1_are_refused_in_french_by_the_budget_forms(staff_client, day):
    scene = budget_scene()
    before = budget_rows()
    for model, field in [
        ("commitment", "committed_on"),
        ("payment", "paid_on"),
        ("payment", "service_done_on"),
        ("tranche", "available_on"),
    ]:
        obj = scene[model]
        old = getattr(obj, field)
        response = post_change(staff_client, obj, **{field: day})
        assert_refused_in_french(response)
        obj.refresh_from_db()
        assert getattr(obj, field) == old
    assert budget_rows() == before
    assert staff_client.get("/budget/").status_code == 200


def test_a_convention_ending_in_year_9999_is_stored_and_every_page_still_renders(staff_client):
    """Year 9999 is a legal date for a convention's end: the pages must not overflow."""
    scene = budget_scene()
    response = post_change(staff_client, scene["convention"], end="31/12/9999")
    assert response.status_code in (200, 302)
    for url in ["/budget/", "/api/v2/budget.json", "/api/v2/budget.csv"]:
        assert staff_client.get(url).status_code == 200, url
    convention = scene["convention"]
    assert staff_client.get(f"/admin/budgets/convention/{convention.pk}/change/").status_code == 200


# --- HTML/JS in every text field ------------------------------------------------------------
def test_html_in_every_text_field_of_a_startup_is_inert_on_public_and_admin_pages(staff_client):
    startup = startup_with_phases((PhaseKind.CONSTRUCTION, date(2024, 1, 1)), id="cible")
    IndicatorFactory(
        startup=startup, name=HOSTILE_TEXT, unit=HOSTILE_TEXT, description=HOSTILE_TEXT
    )
    text_fields = {
        "title": HOSTILE_TEXT,
        "mission": HOSTILE_TEXT,
        "description": HOSTILE_TEXT,
        "contact": HOSTILE_TEXT,
        "user_types": HOSTILE_TEXT,
        "themes": HOSTILE_TEXT,
        "technologies": HOSTILE_TEXT,
    }
    response = post_change(staff_client, startup, **text_fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    startup.refresh_from_db()
    assert startup.title == HOSTILE_TEXT  # kept as written...

    for url in [
        "/startups/cible/",
        "/startups/cible/impact/",
        "/startups/",
        f"/incubateurs/{startup.incubator_id}/",
        "/admin/startups/startup/",
        "/admin/startups/startup/cible/change/",
        "/admin/startups/startup/cible/history/",
        "/admin/impact/indicator/",
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())  # ...and shown as text


def test_html_in_incubator_and_organisation_fields_is_inert(staff_client, client):
    incubator = IncubatorFactory(id="incubateur-cible")
    StartupFactory(incubator=incubator, sponsors=[incubator.owner])
    for obj, fields in [
        (incubator, ["title", "short_description", "description", "contact", "address"]),
        (incubator.owner, ["name", "acronym", "type", "ministerial_domain"]),
    ]:
        response = post_change(staff_client, obj, **dict.fromkeys(fields, HOSTILE_TEXT[:100]))
        assert response.status_code == 302, response.content.decode()[:2000]
    for url in [
        "/incubateurs/",
        "/incubateurs/incubateur-cible/",
        "/organisations/",
        f"/organisations/{incubator.owner_id}/",
        "/startups/",
        "/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


def test_html_in_a_partner_review_and_an_attachment_name_is_inert(
    partner_a_client, organisation_a, staff_user
):
    dossier = dossier_for(
        CommitteeFactory(), StartupFactory(sponsors=[organisation_a]), problem=HOSTILE_TEXT
    )
    from committees import services

    services.add_attachment(
        dossier=dossier,
        uploaded_file=SimpleUploadedFile(f"{SCRIPT}.pdf", b"%PDF-1.4 x", "application/pdf"),
    )
    response = partner_a_client.post(
        f"/partenaires/dossiers/{dossier.pk}/avis/",
        {
            "organisation": organisation_a.pk,
            "opinion": "reserved",
            "questions": HOSTILE_TEXT,
            "comments": HOSTILE_TEXT,
        },
    )
    assert response.status_code == 302
    assert PartnerReview.objects.get().questions == HOSTILE_TEXT
    page = partner_a_client.get(f"/partenaires/dossiers/{dossier.pk}/")
    assert page.status_code == 200
    assert_inert(page.content.decode())
    assert_inert(partner_a_client.get("/partenaires/").content.decode())

    partner_a_client.force_login(staff_user)
    page = partner_a_client.get(f"/admin/committees/dossier/{dossier.pk}/change/")
    assert page.status_code == 200
    assert_inert(page.content.decode())


def test_html_in_budget_and_decision_texts_is_inert(client, staff_client):
    commitment = CommitmentFactory(
        label=HOSTILE_TEXT[:300], supplier=HOSTILE_TEXT[:200], references_public=True
    )
    commitment.allocation.startup.title = HOSTILE_TEXT
    commitment.allocation.startup.save()
    DecisionFactory(dossier__startup=commitment.allocation.startup, text=HOSTILE_TEXT)
    for url in ["/budget/", "/comites/", f"/startups/{commitment.allocation.startup_id}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())
    for url in ["/admin/budgets/commitment/", f"/admin/budgets/commitment/{commitment.pk}/change/"]:
        assert_inert(staff_client.get(url).content.decode())


# --- Huge values ----------------------------------------------------------------------------
def test_ten_megabytes_in_a_review_field_is_refused_without_writing(
    partner_a_client, organisation_a
):
    dossier = dossier_for(CommitteeFactory(), StartupFactory(sponsors=[organisation_a]))
    response = partner_a_client.post(
        f"/partenaires/dossiers/{dossier.pk}/avis/",
        {"organisation": organisation_a.pk, "opinion": "reserved", "questions": "x" * 10_000_001},
    )
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (400) before the form runs.
    assert response.status_code == 400
    assert not PartnerReview.objects.exists()
    response = partner_a_client.post(
        f"/partenaires/dossiers/{dossier.pk}/avis/",
        {"organisation": organisation_a.pk, "opinion": "reserved", "comments": "x" * 10_001},
    )
    assert response.status_code == 400
    assert "au plus 10000 caractères (actuellement 10001)" in response.content.decode()
    assert not PartnerReview.objects.exists()


def measurement_import(staff_client, startup, content: bytes):
    return staff_client.post(
        "/admin/impact/indicator/import/",
        {"startup": startup.pk, "file": spreadsheet("mesures.csv", content)},
    )


def test_huge_values_and_a_long_file_in_the_measurement_import(staff_client):
    star = NorthStarFactory(name="Dossiers")
    lines = [
        f"Dossiers;{date.fromordinal(date(2015, 1, 1).toordinal() + n)};{n}" for n in range(3000)
    ]
    lines += [
        "Dossiers;2014-01;1" + "0" * 30,
        "Dossiers;2014-02;1e400",
        "Dossiers;2014-03;NaN",
        "Dossiers;2014-04;-Infinity",
        "Dossiers;2014-05;1;" + "s" * 600,
    ]
    response = measurement_import(staff_client, star.startup, "\n".join(lines).encode())
    content = response.content.decode()
    assert response.status_code == 200
    assert "3000 valeur(s) ajoutée(s)" in content.replace("\u202f", "").replace(" ", " ")
    assert "5 ligne(s) refusée(s)" in content
    assert "valeur trop grande" in content
    assert "valeur non numérique" in content
    assert "source trop longue" in content
    assert Measurement.objects.count() == 3000


def budget_import(staff_client, kind: str, name: str, content: bytes):
    return staff_client.post(
        f"/admin/budgets/{kind}/importer/", {"file": spreadsheet(name, content)}
    )


COMMITMENT_HEADER = (
    "convention;tranche;bénéficiaire;date;fournisseur;bon de commande;marché;activité;"
    "ressource;montant;HT/TTC;objet;public\n"
)


def commitment_line(allocation, *, day="01/03/2025", amount="10", supplier="ACME", po="BC"):
    return (
        f"{allocation.tranche.convention.reference};{allocation.tranche.number};"
        f"{allocation.startup_id};{day};{supplier};{po};;design;prestations;{amount};TTC;;\n"
    )


def test_huge_negative_and_out_of_range_lines_of_the_budget_import_are_refused(staff_client):
    allocation = AllocationFactory(amount=Decimal("1000"))
    bad = [
        commitment_line(allocation, amount=HUGE, po="BC-1"),
        commitment_line(allocation, amount="-10", po="BC-3"),
        commitment_line(allocation, amount="-0,01", po="BC-4"),
        commitment_line(allocation, amount="0", po="BC-5"),
        commitment_line(allocation, amount="NaN", po="BC-6"),
        commitment_line(allocation, day="31/12/9999", po="BC-8"),
        commitment_line(allocation, day="01/01/0001", po="BC-9"),
        commitment_line(allocation, supplier="x" * 10_000, po="BC-10"),
        commitment_line(allocation, po="B" * 10_000),
    ]
    filler = [commitment_line(allocation, po=f"X-{n}", day="pas une date") for n in range(2000)]
    before = budget_rows()
    response = budget_import(
        staff_client, "commitment", "e.csv", (COMMITMENT_HEADER + "".join(bad + filler)).encode()
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert f"0 ligne(s) importée(s), 0 déjà présente(s), {len(bad) + 2000} refusée(s)." in content
    assert budget_rows() == before

    payment_csv = "bon de commande;service fait;date de paiement;montant\n" + "".join(
        f"{allocation.pk};01/04/2025;15/04/2025;{amount}\n" for amount in [HUGE, "-5", "0"]
    )
    response = budget_import(staff_client, "payment", "p.csv", payment_csv.encode())
    assert "0 ligne(s) importée(s)" in response.content.decode()
    assert budget_rows() == before


def test_an_amount_beyond_decimal_precision_in_the_budget_import_is_refused(staff_client):
    allocation = AllocationFactory(amount=Decimal("1000"))
    before = budget_rows()
    content = COMMITMENT_HEADER + commitment_line(allocation, amount="1" + "0" * 40)
    response = budget_import(staff_client, "commitment", "e.csv", content.encode())
    assert response.status_code == 200
    assert "1 refusée(s)" in response.content.decode()
    assert budget_rows() == before


# --- Wrong encodings ------------------------------------------------------------------------
JUNK = bytes(range(256)) * 40
ENCODINGS = {
    "latin-1": "indicator;period;value\nDossiers déposés;2025-01;1\n".encode("latin-1"),
    "utf-16": "indicator;period;value\nDossiers déposés;2025-01;1\n".encode("utf-16"),
    "binaire": JUNK,
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_measurement_file_in_a_wrong_encoding_is_refused_in_french(staff_client, encoding):
    star = NorthStarFactory(name="Dossiers déposés")
    response = measurement_import(staff_client, star.startup, ENCODINGS[encoding])
    content = response.content.decode()
    assert response.status_code == 200
    assert "n&#x27;est pas en UTF-8" in content
    assert "Aucune valeur n&#x27;a été enregistrée." in content
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("e.csv", COMMITMENT_HEADER.encode("latin-1")),
        ("e.csv", COMMITMENT_HEADER.encode("utf-16")),
        ("e.csv", JUNK),
        ("e.xlsx", JUNK),
        ("e.xlsx", b"PK\x03\x04" + JUNK),  # a zip header, then garbage
    ],
)
def test_a_budget_spreadsheet_in_a_wrong_encoding_is_refused_in_french(staff_client, name, content):
    AllocationFactory()
    before = budget_rows()
    response = budget_import(staff_client, "commitment", name, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fichier illisible" in page or "refusée(s)" in page
    assert budget_rows() == before


def test_a_nul_byte_in_a_measurement_comment_is_refused_in_french(staff_client):
    star = NorthStarFactory(name="Dossiers")
    response = measurement_import(staff_client, star.startup, b"Dossiers;2025-01;1;source;a\x00b")
    content = response.content.decode()
    assert "1 ligne(s) refusée(s)" in content
    assert "PostgreSQL" not in content  # the person reads French, not the driver's message
    assert Measurement.objects.count() == 0


def test_binary_junk_renamed_pdf_is_refused_as_an_attachment(staff_client):
    dossier = dossier_for(CommitteeFactory(), StartupFactory())
    url = f"/admin/committees/dossier/{dossier.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    data.update({"attachments-TOTAL_FORMS": "1", "attachments-0-upload": None})
    for name, body in [("bilan.pdf", JUNK), ("bilan.exe", b"MZ" + JUNK), ("bilan.pdf", b"")]:
        data["attachments-0-upload"] = SimpleUploadedFile(name, body)
        response = staff_client.post(url, data, follow=True)
        assert response.status_code == 200
        content = response.content.decode()
        assert (
            "n&#x27;est pas un fichier PDF valide" in content
            or "seuls les PDF" in content
            or ("Le fichier soumis est vide" in content)
        ), name
    assert Attachment.objects.count() == 0
    assert Dossier.objects.get().problem == dossier.problem


# --- The beta.gouv.fr importer -------------------------------------------------------------
def front_matter(fields: dict, body: str = "Le corps.") -> str:
    return f"---\n{yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)}---\n{body}\n"


def corpus(root: Path, startups: dict[str, bytes | str]) -> Path:
    for kind, name, content in [
        ("organisations", "dgcs.md", front_matter({"name": "DGCS"})),
        ("incubators", "sgmas.md", front_matter({"title": "Fabrique", "owner": "dgcs"})),
        (
            "startups",
            "saine.md",
            front_matter(
                {
                    "title": "Saine",
                    "incubator": "sgmas",
                    "phases": [{"name": "construction", "start": date(2021, 4, 1)}],
                }
            ),
        ),
        *(("startups", name, content) for name, content in startups.items()),
    ]:
        path = root / kind / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def run_import(capsys, monkeypatch):
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(root: Path) -> tuple[int, str]:
        capsys.readouterr()
        try:
            ManagementUtility(["manage.py", "import_betagouv", str(root)]).execute()
            status = 0
        except SystemExit as exit:
            status = exit.code
        captured = capsys.readouterr()
        return status, captured.out + captured.err

    return run


def test_files_in_wrong_encodings_are_reported_by_the_importer(tmp_path, run_import):
    text = front_matter({"title": "Données", "incubator": "sgmas"}, "Décrit en français.")
    root = corpus(
        tmp_path,
        {
            "latin.md": text.encode("latin-1"),
            "utf16.md": text.encode("utf-16"),
            "binaire.md": JUNK,
        },
    )
    status, output = run_import(root)
    assert status != 0
    for name in ["latin.md", "utf16.md", "binaire.md"]:
        assert name in output
    assert "UTF-8" in output
    assert sorted(Startup.objects.values_list("pk", flat=True)) == ["saine"]


def test_huge_values_and_extreme_dates_in_a_betagouv_file(tmp_path, run_import, client):
    fields = {
        "title": "T" * 100_000,
        "mission": "M" * 1_000_000,
        "incubator": "sgmas",
        "phases": [
            {"name": "investigation", "start": date(1, 1, 1)},
            {"name": "construction", "start": date(9999, 12, 31), "end": date(9999, 12, 31)},
        ],
        "events": [{"name": "product_launch", "date": date(9999, 12, 31)}],
    }
    root = corpus(
        tmp_path,
        {
            "enorme.md": front_matter(fields, "D" * 10_000_000),
            "extreme.md": front_matter({**fields, "title": "Extrême", "mission": "Dates"}),
        },
    )
    status, output = run_import(root)
    # The over-long file is either refused with its path, or imported with what fits.
    enorme = Startup.objects.filter(pk="enorme").first()
    assert "enorme" in output or (enorme and len(enorme.title) <= 300)
    if enorme is None:
        assert not Phase.objects.filter(startup_id="enorme").exists()
    # The extreme dates are kept, and every page still renders.
    assert Startup.objects.filter(pk="extreme").exists(), output
    for url in [
        "/startups/enorme/" if enorme else "/startups/",
        "/startups/extreme/",
        "/startups/extreme/impact/",
        "/startups/",
        "/api/v2/startups/extreme.json",
        "/api/v2/startups.json",
        "/api/v2/startups.csv",
        "/impact/",
        "/",
    ]:
        assert client.get(url).status_code == 200, url


# --- CSV injection in every CSV export ------------------------------------------------------
def neutralised(cells: list[str], payload: str) -> None:
    hits = [cell for cell in cells if payload.strip("\t\r") in cell]
    assert hits, f"{payload!r} absent de l'export"
    for cell in hits:
        assert not cell.startswith(tuple(FORMULAS + DISGUISED_FORMULAS)), (
            f"cellule non neutralisée : {cell!r}"
        )
        assert cell.startswith("'"), cell


def formula(prefix: str) -> str:
    return f'{prefix}HYPERLINK("http://x.test";"cmd")'


@pytest.mark.parametrize("prefix", FORMULAS + DISGUISED_FORMULAS)
def test_formulas_are_neutralised_in_the_public_csv_exports(client, prefix):
    payload = formula(prefix)
    startup = startup_with_phases(
        (PhaseKind.CONSTRUCTION, date(2024, 1, 1)), id="s", title=payload, mission=payload
    )
    star = NorthStarFactory(startup=startup, name=payload, unit=payload)
    Measurement.objects.create(
        indicator=star,
        period_kind="month",
        period_start=date(2025, 1, 1),
        value=1,
        source=payload,
        comment=payload,
    )
    CommitmentFactory(
        allocation__startup=startup, label=payload, supplier=payload, references_public=True
    )
    AllocationFactory(startup=None, workstream=payload)
    DecisionFactory(dossier__startup=startup)
    for url in [
        "/api/v2/startups.csv",
        "/api/v2/budget.csv",
        "/api/v2/decisions.csv",
        "/api/v2/startups/s/indicators.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        neutralised(csv_cells(response.content), payload)


def admin_export(staff_client, model: str, resource: str, fields: list[str]) -> bytes:
    response = staff_client.post(
        f"/admin/budgets/{model}/export/",
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{f"{resource}_{field}": "on" for field in fields},
        },
    )
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("prefix", FORMULAS + DISGUISED_FORMULAS)
def test_formulas_are_neutralised_in_the_admin_exports(staff_client, prefix):
    payload = formula(prefix)
    payment = PaymentFactory(
        commitment__supplier=payload, commitment__label=payload, reference=payload
    )
    cells = csv_cells(
        admin_export(
            staff_client,
            "commitment",
            "commitmentresource",
            ["convention", "supplier", "label", "purchase_order"],
        )
    )
    neutralised(cells, payload)
    cells = csv_cells(
        admin_export(staff_client, "payment", "paymentresource", ["purchase_order", "reference"])
    )
    neutralised(cells, payload)
    assert payment.pk


@pytest.mark.parametrize("prefix", FORMULAS + DISGUISED_FORMULAS)
def test_formulas_are_neutralised_in_the_budget_report_command(prefix):
    payload = formula(prefix)
    convention = ConventionFactory(reference="CONV-CSV", uo=payload[:50])
    tranche = TrancheFactory(convention=convention)
    AllocationFactory(tranche=tranche, startup=None, workstream=payload)
    AllocationFactory(tranche=tranche, startup__title=payload)
    out = io.StringIO()
    call_command(
        "budget_report",
        "--convention",
        "CONV-CSV",
        "--month",
        "2025-03",
        "--format",
        "csv",
        stdout=out,
    )
    neutralised(csv_cells(out.getvalue()), payload[:50])


# --- NUL bytes in identifiers of URLs -------------------------------------------------------
def test_a_nul_byte_in_an_api_startup_id_is_a_json_404(client):
    StartupFactory(id="ab")
    response = client.get("/api/v2/startups/a%00b.json")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"status": "404", "title": "Introuvable"}]}


@pytest.mark.parametrize(
    "url",
    [
        "/startups/a%00b/",
        "/startups/a%00b/impact/",
        "/incubateurs/a%00b/",
        "/organisations/a%00b/",
        "/api/v2/startups/a%00b/indicators.json",
        "/api/v2/startups/a%00b/indicators.csv",
    ],
)
def test_a_nul_byte_in_a_page_id_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_organisation_and_incubator_counts_are_untouched_by_refused_imports(tmp_path, run_import):
    root = corpus(tmp_path, {"casse.md": b"---\ntitle: [\n---\n"})
    run_import(root)
    assert (Organisation.objects.count(), Incubator.objects.count()) == (1, 1)
