"""The monthly report the délégataire sends the délégant: one function, used by the admin page
and by `manage.py budget_report`.

For a convention and a month: committed (AE) and paid (CP) per UO, beneficiary and activity,
for the month and cumulated to its last day; what is left of each tranche; alerts (allocation
more than 90 % committed, tranche exhausted, money running out in less than 45 days at the burn
rate of the last three months, an allocation whose period runs past the convention's end).
"""

import csv
import io
from calendar import monthrange
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from budgets.models import (
    Activity,
    Allocation,
    Commitment,
    Convention,
    Figures,
    Payment,
    Tranche,
    figures_by,
    months_before,
)
from budgets.money import ZERO
from publishing.exports import spreadsheet_cell
from publishing.formats import euros, fr_date
from startups.models import Startup, today

COMMITTED_ALERT_RATIO = Decimal("0.9")
RUNS_OUT_ALERT_DAYS = 45


@dataclass
class ReportRow:
    uo: str
    beneficiary: str
    activity: str
    month_committed: Decimal = ZERO
    month_paid: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid


@dataclass
class TrancheLine:
    tranche: Tranche
    figures: Figures

    @property
    def ae_left(self) -> Decimal:
        return self.tranche.ae_amount - self.figures.committed

    @property
    def cp_left(self) -> Decimal:
        return self.tranche.cp_amount - self.figures.paid

    @property
    def unallocated(self) -> Decimal:
        return self.tranche.ae_amount - self.figures.allocated


@dataclass
class MonthlyReport:
    convention: Convention
    month: date  # first day
    end: date  # last day
    rows: list[ReportRow] = field(default_factory=list)
    tranches: list[TrancheLine] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.month:%m/%Y}"

    def total(self) -> ReportRow:
        total = ReportRow(uo="", beneficiary="Total", activity="")
        for row in self.rows:
            total.month_committed += row.month_committed
            total.month_paid += row.month_paid
            total.committed += row.committed
            total.paid += row.paid
        return total


def _length(since: date, until: date) -> str:
    """ "184 jours (6 mois)", "46 jours (1 mois et 15 jours)", "20 jours": from `since` to
    `until`, in days, and in whole calendar months (a month's last day to a month's last day
    is a whole month: 30/06 to 31/12 is 6 months) and the days left."""
    days = (until - since).days
    months = 0
    while months_before(until, months + 1) >= since:
        months += 1
    left = (months_before(until, months) - since).days
    text = f"{days} jour{'s' if days > 1 else ''}"
    if months:
        rest = f" et {left} jour{'s' if left > 1 else ''}" if left else ""
        text += f" ({months} mois{rest})"
    return text


def parse_month(text: str) -> date:
    """ "2026-10" -> date(2026, 10, 1); ValueError with a French message otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise ValueError(f"« {text} » n'est pas un mois au format AAAA-MM.") from exc


def monthly_report(convention: Convention, month: date) -> MonthlyReport:
    """The report of `convention` for the month containing `month`."""
    first = month.replace(day=1)
    end = first.replace(day=monthrange(first.year, first.month)[1])
    report = MonthlyReport(convention=convention, month=first, end=end)
    # What stood at the month's last day: a tranche made available later (the 1st of the next
    # month) is not in it, nor its allocations, so that a month's report reads the same
    # whenever it is printed.
    tranches = Tranche.objects.filter(convention=convention, available_on__lte=end)
    allocations = Allocation.objects.filter(tranche__in=tranches)
    commitments = Commitment.objects.filter(
        allocation__tranche__convention=convention, committed_on__lte=end
    )
    payments = Payment.objects.filter(commitment__allocation__tranche__convention=convention)
    keys = ("uo", "startup", "workstream", "activity")
    cumulated = figures_by(
        *keys, allocations=allocations, commitments=commitments, payments=payments, on=end
    )
    of_month = figures_by(
        *keys,
        commitments=commitments.filter(committed_on__gte=first),
        payments=payments.filter(paid_on__gte=first),
        on=end,
    )
    # A beneficiary with an allocation and nothing committed yet still has its line (at zero).
    with_commitments = {key[:3] for key in cumulated}
    for key in figures_by(
        "uo",
        "startup",
        "workstream",
        allocations=allocations,
        commitments=commitments.none(),
        payments=payments.none(),
        on=end,
    ):
        if key not in with_commitments:
            cumulated[(*key, None)] = Figures(on=end)
    titles = dict(
        Startup.objects.filter(allocations__tranche__convention=convention)
        .values_list("pk", "title")
        .distinct()
    )
    for key in sorted(cumulated, key=lambda k: (k[0] or "", titles.get(k[1], k[2]), k[3] or "")):
        uo, startup_id, workstream, activity = key
        total, month_figures = cumulated[key], of_month.get(key, Figures(on=end))
        report.rows.append(
            ReportRow(
                uo=uo or "—",
                beneficiary=titles.get(startup_id, workstream),
                activity=Activity(activity).label if activity else "—",
                month_committed=month_figures.committed,
                month_paid=month_figures.paid,
                committed=total.committed,
                paid=total.paid,
            )
        )

    by_tranche = figures_by(
        "tranche", allocations=allocations, commitments=commitments, payments=payments, on=end
    )
    for tranche in tranches.order_by("number"):
        line = TrancheLine(tranche, by_tranche.get((tranche.pk,), Figures(on=end)))
        report.tranches.append(line)
        if line.ae_left <= 0:
            report.alerts.append(f"Tranche {tranche.number} épuisée : toutes ses AE sont engagées.")
        elif line.cp_left <= 0:
            report.alerts.append(f"Tranche {tranche.number} : tous ses CP sont payés.")

    # The convention's end as amended by the month's last day (a later amendment is in a later
    # report): an allocation whose period runs past it cannot be spent as decided.
    convention_end = convention.end_on(end)
    by_allocation = figures_by(
        "allocation", allocations=allocations, commitments=commitments, payments=payments, on=end
    )
    listed = list(
        allocations.select_related("startup", "tranche").order_by("tranche__number", "pk")
    )
    shared = Counter((a.tranche_id, a.beneficiary) for a in listed)
    for allocation in listed:
        figures = by_allocation.get((allocation.pk,), Figures(on=end, allocated=allocation.amount))
        name = f"« {allocation.beneficiary} » (tranche {allocation.tranche.number})"
        if shared[allocation.tranche_id, allocation.beneficiary] > 1:
            name = (
                f"« {allocation.beneficiary} » n° {allocation.pk} de {euros(allocation.amount, plain=True)} "
                f"(tranche {allocation.tranche.number})"
            )
        if figures.committed_ratio is not None and figures.committed_ratio > COMMITTED_ALERT_RATIO:
            report.alerts.append(
                f"Allocation {name} engagée à {figures.committed_ratio:.0%} : "
                f"il reste {euros(figures.available, plain=True)} disponibles."
            )
        runs_out = figures.runs_out_on
        if runs_out and runs_out < end + timedelta(days=RUNS_OUT_ALERT_DAYS):
            report.alerts.append(
                f"Allocation {name} : au rythme des trois derniers mois "
                f"({euros(figures.monthly_burn, plain=True)} par mois), l'argent sera épuisé le "
                f"{fr_date(runs_out)}, dans moins de {RUNS_OUT_ALERT_DAYS} jours."
            )
        if allocation.period_end and allocation.period_end > convention_end:
            report.alerts.append(
                f"Allocation {name} : sa période va jusqu'au {fr_date(allocation.period_end)}, "
                f"{_length(convention_end, allocation.period_end)} après la fin de la convention "
                f"({fr_date(convention_end)}) ; au-delà, rien ne peut y être engagé ni payé "
                "sans avenant qui prolonge la convention."
            )
    return report


class _SpreadsheetWriter:
    """A csv writer for French spreadsheets: decimal commas, formulas neutralised."""

    def __init__(self, out):
        self.writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def writerow(self, row):
        self.writer.writerow([spreadsheet_cell(cell) for cell in row])


def report_csv(report: MonthlyReport) -> str:
    """The report as CSV for a French spreadsheet (`;`, amounts with a decimal comma, one section
    after the other; formulas neutralised). The file downloaded from the admin adds a BOM."""
    out = io.StringIO()
    writer = _SpreadsheetWriter(out)
    writer.writerow([f"Rapport mensuel {report.convention.reference}", report.label])
    writer.writerow(
        [
            "UO",
            "Bénéficiaire",
            "Activité",
            "AE engagées (mois)",
            "CP payés (mois)",
            "AE engagées (cumul)",
            "CP payés (cumul)",
            "Reste à payer",
        ]
    )
    for row in [*report.rows, report.total()]:
        writer.writerow(
            [
                row.uo,
                row.beneficiary,
                row.activity,
                row.month_committed,
                row.month_paid,
                row.committed,
                row.paid,
                row.to_pay,
            ]
        )
    writer.writerow([])
    writer.writerow(
        ["Tranche", "AE", "Alloué", "AE engagées", "AE restantes", "CP", "CP payés", "CP restants"]
    )
    for line in report.tranches:
        writer.writerow(
            [
                line.tranche.number,
                line.tranche.ae_amount,
                line.figures.allocated,
                line.figures.committed,
                line.ae_left,
                line.tranche.cp_amount,
                line.figures.paid,
                line.cp_left,
            ]
        )
    writer.writerow([])
    writer.writerow(["Alertes"])
    for alert in report.alerts or ["Aucune alerte."]:
        writer.writerow([alert])
    return out.getvalue()


def report_text(report: MonthlyReport) -> str:
    """The report as plain text for the terminal."""
    lines = [
        f"Rapport mensuel — convention {report.convention.reference} — {report.label}",
        f"(cumul au {fr_date(report.end)})",
        "",
        f"{'UO':<16} {'Bénéficiaire':<30} {'Activité':<28} {'AE mois':>16} {'CP mois':>16} "
        f"{'AE cumul':>16} {'CP cumul':>16}",
    ]
    for row in [*report.rows, report.total()]:
        lines.append(
            f"{row.uo[:16]:<16} {row.beneficiary[:30]:<30} {row.activity[:28]:<28} "
            f"{euros(row.month_committed, plain=True):>16} {euros(row.month_paid, plain=True):>16} "
            f"{euros(row.committed, plain=True):>16} {euros(row.paid, plain=True):>16}"
        )
    lines += ["", "Tranches :"]
    for line in report.tranches:
        lines.append(
            f"  Tranche {line.tranche.number} : AE {euros(line.tranche.ae_amount, plain=True)}, "
            f"restant {euros(line.ae_left, plain=True)} ; CP {euros(line.tranche.cp_amount, plain=True)}, "
            f"restant {euros(line.cp_left, plain=True)} ; non alloué {euros(line.unallocated, plain=True)}"
        )
    lines += ["", "Alertes :"]
    lines += [f"  - {alert}" for alert in report.alerts] or ["  Aucune alerte."]
    return "\n".join(lines) + "\n"


def current_month() -> date:
    return today().replace(day=1)
