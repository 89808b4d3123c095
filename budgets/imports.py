"""Import of commitments and payments from a spreadsheet (CSV or XLSX), line by line.

Each line goes through `budgets.services` in its own transaction: a good line is saved, a bad
line is reported with its number and a French reason, and nothing of a bad line is written.
A line already imported (same allocation, purchase order, date and amount; or same commitment,
payment date, amount and reference) is skipped, so importing a file twice writes it once.

Commitments: convention ; tranche ; bénéficiaire (startup id or workstream name) ; date ;
fournisseur ; bon de commande ; marché ; activité ; ressource ; montant ; HT/TTC ; objet ; public ;
and, optional, to choose between several allocations of a beneficiary on a tranche:
allocation (its number in the admin) ; objet de l'allocation
Payments: bon de commande ; service fait ; date de paiement ; montant ; référence
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from budgets import services
from budgets.models import (
    Activity,
    Allocation,
    Commitment,
    Payment,
    PublicContract,
    Resource,
    TaxBasis,
)
from budgets.money import NotAnAmount, to_amount
from publishing.formats import euros
from startups.text import normalise

COMMITMENT_COLUMNS = [
    "convention",
    "tranche",
    "bénéficiaire",
    "date",
    "fournisseur",
    "bon de commande",
    "marché",
    "activité",
    "ressource",
    "montant",
    "HT/TTC",
    "objet",
    "public",
]
# Optional: which of several allocations of the beneficiary on the tranche.
COMMITMENT_CHOICE_COLUMNS = ["allocation", "objet de l'allocation"]
PAYMENT_COLUMNS = ["bon de commande", "service fait", "date de paiement", "montant", "référence"]
REQUIRED = {
    "commitments": {
        "convention",
        "tranche",
        "beneficiaire",
        "date",
        "fournisseur",
        "activite",
        "ressource",
        "montant",
    },
    "payments": {"bon de commande", "service fait", "date de paiement", "montant"},
}


class LineError(Exception):
    pass


@dataclass
class LineResult:
    number: int
    status: str  # "créé", "ignoré", "refusé"
    message: str


@dataclass
class ImportReport:
    lines: list[LineResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def created(self) -> int:
        return self.count("créé")

    @property
    def refused(self) -> int:
        return self.count("refusé")

    @property
    def skipped(self) -> int:
        return self.count("ignoré")

    def summary(self) -> str:
        return (
            f"{self.created} ligne(s) importée(s), {self.skipped} déjà présente(s), "
            f"{self.refused} refusée(s)."
        )


def read_spreadsheet(name: str, content: bytes) -> tablib.Dataset:
    """A CSV (UTF-8, `;` or `,`) or XLSX file as a dataset whose first row is the header."""
    if Path(name).suffix.lower() == ".xlsx":
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LineError("Le fichier CSV doit être encodé en UTF-8.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return tablib.Dataset().load(text, format="csv", delimiter=delimiter)


# --- Cell parsing ---------------------------------------------------------------------------
def _text(row: dict, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _date(row: dict, column: str) -> date:
    value = row.get(column)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(row, column)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise LineError(f"colonne « {column} » : « {text} » n'est pas une date (JJ/MM/AAAA).")


def _amount(row: dict, column: str):
    value = row.get(column)
    if isinstance(value, float):  # XLSX numbers: exactly their shortest text form
        value = Decimal(repr(value))
    try:
        return to_amount(value if value not in (None, "") else "")
    except NotAnAmount as exc:
        raise LineError(f"colonne « {column} » : {exc}") from exc


def _choice(row: dict, column: str, choices, default=None) -> str:
    text = normalise(_text(row, column))
    if not text and default is not None:
        return default
    for value, label in choices.choices:
        if text in (normalise(value), normalise(label)):
            return value
    allowed = ", ".join(label for _, label in choices.choices)
    raise LineError(f"colonne « {column} » : « {_text(row, column)} » inconnu ({allowed}).")


def _rows(dataset: tablib.Dataset, kind: str):
    headers = {normalise(h): h for h in (dataset.headers or [])}
    missing = [c for c in sorted(REQUIRED[kind]) if c not in headers]
    if missing:
        raise LineError(f"colonne(s) manquante(s) : {', '.join(missing)}.")
    for number, values in enumerate(dataset, start=2):
        row = {normalise(h): v for h, v in zip(dataset.headers, values, strict=False)}
        if all(v in (None, "") for v in values):
            continue
        yield number, row


def _run(dataset, kind: str, import_line) -> ImportReport:
    report = ImportReport()
    try:
        rows = list(_rows(dataset, kind))
    except LineError as exc:
        report.lines.append(LineResult(1, "refusé", f"En-tête : {exc}"))
        return report
    for number, row in rows:
        try:
            status, message = import_line(row)
        except LineError as exc:
            status, message = "refusé", str(exc)
        except ValidationError as exc:
            status, message = "refusé", " ".join(exc.messages)
        report.lines.append(LineResult(number, status, message))
    return report


# --- Commitments ----------------------------------------------------------------------------
def _allocation(row: dict) -> Allocation:
    """The allocation of a line: convention, tranche and beneficiary, narrowed by the optional
    « allocation » (its number, shown in the admin) or « objet de l'allocation » columns when
    the beneficiary has several allocations on the tranche."""
    reference, tranche, beneficiary = (
        _text(row, "convention"),
        _text(row, "tranche"),
        _text(row, "beneficiaire"),
    )
    number, purpose = (
        _text(row, "allocation").removesuffix(".0"),
        _text(row, "objet de l'allocation"),
    )
    where = f"« {beneficiary} » sur la tranche {tranche} de la convention « {reference} »"
    candidates = (
        Allocation.objects.filter(
            tranche__convention__reference=reference,
            tranche__number=tranche.removesuffix(".0") or 0,
        )
        if tranche.removesuffix(".0").isdigit()
        else Allocation.objects.none()
    )
    found = [
        a
        for a in candidates.select_related("startup", "tranche").order_by("pk")
        if a.startup_id == beneficiary
        or normalise(a.workstream) == normalise(beneficiary)
        or (a.startup_id and normalise(a.startup.title) == normalise(beneficiary))
    ]
    if not found:
        raise LineError(f"aucune allocation pour {where}.")
    if number:
        chosen = [a for a in found if str(a.pk) == number.removeprefix("n°").strip()]
        if not chosen:
            raise LineError(
                f"l'allocation n° {number} n'est pas une allocation de {where} "
                f"(allocations possibles : {_numbers(found)})."
            )
        found = chosen
    if purpose:
        chosen = [a for a in found if normalise(a.purpose) == normalise(purpose)]
        if not chosen:
            raise LineError(
                f"aucune allocation de {where} n'a pour objet « {purpose} » "
                f"(allocations possibles : {_numbers(found)})."
            )
        found = chosen
    if len(found) > 1:
        raise LineError(
            f"plusieurs allocations pour {where} ({_numbers(found)}) : ajoutez une colonne "
            "« allocation » avec le numéro de l'allocation voulue (affiché dans l'admin, "
            "« n° … »), ou une colonne « objet de l'allocation »."
        )
    return found[0]


def _numbers(allocations) -> str:
    return ", ".join(
        f"n° {a.pk} : {euros(a.amount, plain=True)}, « {Truncator(a.purpose).chars(60)} »"
        for a in allocations
    )


def import_commitments(dataset: tablib.Dataset, *, by=None) -> ImportReport:
    def import_line(row):
        allocation = _allocation(row)
        commitment = Commitment(
            allocation=allocation,
            committed_on=_date(row, "date"),
            supplier=_text(row, "fournisseur"),
            purchase_order=_text(row, "bon de commande"),
            public_contract=_choice(row, "marche", PublicContract, PublicContract.BUILD),
            activity=_choice(row, "activite", Activity),
            resource=_choice(row, "ressource", Resource),
            amount=_amount(row, "montant"),
            tax_basis=_choice(row, "ht/ttc", TaxBasis, TaxBasis.TTC),
            label=_text(row, "objet"),
            references_public=normalise(_text(row, "public")) in ("oui", "1", "true", "vrai"),
        )
        if not commitment.supplier:
            raise LineError("colonne « fournisseur » vide.")
        duplicate = Commitment.objects.filter(
            allocation=allocation,
            purchase_order=commitment.purchase_order,
            committed_on=commitment.committed_on,
            amount=commitment.amount,
        )
        if duplicate.exists():
            return "ignoré", "déjà importé."
        services.save_commitment(commitment=commitment, by=by)
        return "créé", f"engagement de {commitment.amount} € sur « {allocation.beneficiary} »."

    return _run(dataset, "commitments", import_line)


# --- Payments -------------------------------------------------------------------------------
def import_payments(dataset: tablib.Dataset, *, by=None) -> ImportReport:
    def import_line(row):
        purchase_order = _text(row, "bon de commande")
        commitments = (
            list(Commitment.objects.filter(purchase_order=purchase_order)[:2])
            if purchase_order
            else []
        )
        if len(commitments) != 1:
            raise LineError(
                f"bon de commande « {purchase_order} » : "
                + ("aucun engagement." if not commitments else "plusieurs engagements.")
            )
        payment = Payment(
            commitment=commitments[0],
            service_done_on=_date(row, "service fait"),
            paid_on=_date(row, "date de paiement"),
            amount=_amount(row, "montant"),
            reference=_text(row, "reference"),
        )
        duplicate = Payment.objects.filter(
            commitment=payment.commitment,
            paid_on=payment.paid_on,
            amount=payment.amount,
            reference=payment.reference,
        )
        if duplicate.exists():
            return "ignoré", "déjà importé."
        services.save_payment(payment=payment, by=by)
        return "créé", f"paiement de {payment.amount} € sur « {purchase_order} »."

    return _run(dataset, "payments", import_line)
