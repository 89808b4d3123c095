"""Money: conventions, tranches, allocations, commitments (AE) and payments (CP).

    Convention ─┬─ Amendment (avenant: new ceiling and/or new end)
                └─ Tranche (AE + CP made available) ── Allocation (a startup or a workstream)
                       └─ Commitment (engagement: consumes AE) ── Payment (consumes CP)

The rules that involve several rows (a sum under a limit) live in `budgets.services`, which
locks the parent row; what a single row can check is a `CheckConstraint` here (a `RowCheck`,
which Django validates in Python: `budgets.constraints`). Every figure (allocated, committed,
paid, reste à payer, available, burn rate, run-out date) is computed by the QuerySet methods
below and `figures_by`, nowhere else.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import ceil

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.urls import reverse
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from budgets.constraints import RowCheck
from budgets.money import CENT, MAX_DIGITS, ZERO
from publishing.formats import euros, fr_date
from startups.models import Organisation, Startup, today

BURN_WINDOW_MONTHS = 3


def amount_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=2, **kwargs)


def positive(field_name: str, name: str, label: str) -> RowCheck:
    return RowCheck(
        condition=Q(**{f"{field_name}__gt": 0}),
        name=name,
        violation_error_message=f"{label} doit être strictement positif.",
    )


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the last day of the month when it does not exist);
    from a month's last day, the last day of that earlier month.

    It opens the burn window (`months_before(on, 3)`, excluded, to `on`): on a month's last day
    that window must be the three whole months ending there. Payments are often dated at the
    end of a month: from 30 April, "the same day" (30 January) let 31 January's payment in, a
    fourth one, and the April report read four months of CP as three.
    """
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = monthrange(year, month)[1]
    if (day + timedelta(days=1)).day == 1:  # `day` is the last day of its month
        return date(year, month, last_day)
    return date(year, month, min(day.day, last_day))


# --- Figures: the one place where money is summed ---------------------------------------------
@dataclass
class Figures:
    """What was allocated, committed (AE consumed) and paid (CP consumed), as of `on`."""

    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    # CP paid in the BURN_WINDOW_MONTHS months up to `on` (the burn rate's base).
    paid_recently: Decimal = ZERO
    on: date = field(default_factory=today)

    @property
    def to_pay(self) -> Decimal:
        """Reste à payer: AE committed whose CP is not paid yet."""
        return self.committed - self.paid

    @property
    def available(self) -> Decimal:
        """Allocated money not committed yet."""
        return self.allocated - self.committed

    @property
    def committed_ratio(self) -> Decimal | None:
        return (self.committed / self.allocated) if self.allocated else None

    @property
    def monthly_burn(self) -> Decimal:
        """CP paid per month, averaged over the last three months."""
        return (self.paid_recently / BURN_WINDOW_MONTHS).quantize(CENT)

    @property
    def runs_out_on(self) -> date | None:
        """When the allocated money is all paid at the current burn rate; None without spending,
        or when that day is past the calendar's last one (31/12/9999).

        What is left is `allocated − paid`: commitments are future spending, not money saved.
        """
        if self.paid_recently <= 0 or not self.allocated:
            return None
        left = self.allocated - self.paid
        if left <= 0:
            return self.on
        window_days = (self.on - months_before(self.on, BURN_WINDOW_MONTHS)).days
        days = ceil(left * window_days / self.paid_recently)
        # A tiny rate (1 € paid in three months on 100 000 €: 25 000 years) gives a day no date
        # can hold: `date + timedelta` raised OverflowError, a 500 on the allocation's admin
        # page and in the monthly report, and committees_due failed for every startup.
        if days > (date.max - self.on).days:
            return None
        return self.on + timedelta(days=days)

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.allocated + other.allocated,
            self.committed + other.committed,
            self.paid + other.paid,
            self.paid_recently + other.paid_recently,
            self.on,
        )


def _sum_of(queryset, link: str, amount: str = "amount"):
    """Sum of `amount` over the rows of `queryset` whose `link` is the outer row: a subquery,
    so several sums on one row never multiply each other through joins."""
    rows = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link)
    total = rows.annotate(total=Sum(amount)).values("total")
    return Coalesce(Subquery(total, output_field=models.DecimalField()), Value(ZERO))


class WithFiguresMixin:
    """`figures` built from the annotations of `with_figures()`."""

    @property
    def figures(self) -> Figures:
        return Figures(
            allocated=getattr(self, "allocated_total", ZERO),
            committed=getattr(self, "committed_total", ZERO),
            paid=getattr(self, "paid_total", ZERO),
            paid_recently=getattr(self, "paid_recently_total", ZERO),
            on=getattr(self, "figures_on", None) or today(),
        )


def _recent_payments(on: date):
    return Payment.objects.filter(
        paid_on__gt=months_before(on, BURN_WINDOW_MONTHS), paid_on__lte=on
    )


# --- Conventions --------------------------------------------------------------------------------
class ConventionKind(models.TextChoices):
    DELEGATION = "delegation", "Délégation de gestion"
    PARTNERSHIP = "partenariat", "Convention de partenariat"


class ConventionStatus(models.TextChoices):
    DRAFT = "projet", "En projet"
    IN_FORCE = "en_vigueur", "En vigueur"
    CLOSED = "close", "Close"
    TERMINATED = "resiliee", "Résiliée"


class ConventionQuerySet(models.QuerySet):
    def with_figures(self, on: date | None = None):
        """Annotate released (tranches AE), released CP, allocated, committed and paid."""
        on = on or today()
        return self.annotate(
            released_total=_sum_of(Tranche.objects.all(), "convention", "ae_amount"),
            released_cp_total=_sum_of(Tranche.objects.all(), "convention", "cp_amount"),
            allocated_total=_sum_of(Allocation.objects.all(), "tranche__convention"),
            committed_total=_sum_of(Commitment.objects.all(), "allocation__tranche__convention"),
            paid_total=_sum_of(
                Payment.objects.filter(paid_on__lte=on),
                "commitment__allocation__tranche__convention",
            ),
            paid_recently_total=_sum_of(
                _recent_payments(on), "commitment__allocation__tranche__convention"
            ),
            figures_on=Value(on, output_field=models.DateField()),
        )


class Convention(WithFiguresMixin, models.Model):
    """A convention de délégation de gestion (or of partnership) that lets DINUM spend credits."""

    reference = models.CharField("référence", max_length=100, unique=True)
    title = models.CharField("intitulé", max_length=300)
    kind = models.CharField(
        "type", max_length=20, choices=ConventionKind.choices, default=ConventionKind.DELEGATION
    )
    status = models.CharField(
        "statut", max_length=20, choices=ConventionStatus.choices, default=ConventionStatus.DRAFT
    )
    delegant = models.ForeignKey(
        Organisation,
        verbose_name="délégant",
        on_delete=models.PROTECT,
        related_name="conventions_as_delegant",
    )
    delegataire = models.ForeignKey(
        Organisation,
        verbose_name="délégataire",
        on_delete=models.PROTECT,
        related_name="conventions_as_delegataire",
    )
    signed_on = models.DateField("signée le", null=True, blank=True)
    start = models.DateField("début")
    end = models.DateField("fin (incluse, avant avenant)")
    ceiling = amount_field("plafond initial (€)")
    # Chorus references.
    programme = models.CharField("programme", max_length=20, blank=True)
    bop = models.CharField("BOP", max_length=50, blank=True)
    uo = models.CharField("UO", max_length=50, blank=True)
    financial_centre = models.CharField("centre financier", max_length=50, blank=True)
    functional_domain = models.CharField("domaine fonctionnel", max_length=50, blank=True)
    activity = models.CharField("activité", max_length=50, blank=True)
    cost_centre = models.CharField("centre de coût", max_length=50, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention"
        ordering = ["-start", "reference"]
        constraints = [
            positive("ceiling", "convention_ceiling_positive", "Le plafond"),
            RowCheck(
                condition=Q(end__gte=F("start")),
                name="convention_ends_after_it_starts",
                violation_error_message="La fin de la convention ne peut pas précéder son début.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self):
        return reverse("admin:budgets_convention_change", args=[self.pk])

    def _amendments(self) -> list["Amendment"]:
        # By signature date, then in the order they were recorded. An amendment being checked
        # (`check_amendment`, not saved yet) comes after those of its day, where its pk will
        # put it: counted first, a second amendment of the same day was checked as if the
        # first still won, then won once saved (an end before a dated write got through).
        return sorted(self.amendments.all(), key=lambda a: (a.signed_on, a.pk is None, a.pk or 0))

    @property
    def current_ceiling(self) -> Decimal:
        """The ceiling as amended: the last amendment that sets one wins."""
        ceilings = [a.new_ceiling for a in self._amendments() if a.new_ceiling is not None]
        return ceilings[-1] if ceilings else self.ceiling

    @property
    def current_end(self) -> date:
        return self.end_on()

    def end_on(self, day: date | None = None) -> date:
        """The end as amended by the amendments signed up to `day` (all of them by default)."""
        ends = [
            a.new_end
            for a in self._amendments()
            if a.new_end is not None and (day is None or a.signed_on <= day)
        ]
        return ends[-1] if ends else self.end

    @property
    def chorus_label(self) -> str:
        parts = [
            ("Programme", self.programme),
            ("BOP", self.bop),
            ("UO", self.uo),
            ("Domaine fonctionnel", self.functional_domain),
        ]
        return ", ".join(f"{label} {value}" for label, value in parts if value)


class Amendment(models.Model):
    """An avenant: a new ceiling, a new end, or both."""

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="amendments", verbose_name="convention"
    )
    number = models.PositiveSmallIntegerField("numéro")
    signed_on = models.DateField("signé le")
    new_ceiling = amount_field("nouveau plafond (€)", null=True, blank=True)
    new_end = models.DateField("nouvelle fin", null=True, blank=True)
    reason = models.TextField("motif")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "avenant"
        ordering = ["convention", "signed_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "number"],
                name="amendment_number_unique",
                violation_error_message="Un avenant porte déjà ce numéro pour cette convention.",
            ),
            RowCheck(
                condition=Q(new_ceiling__isnull=False) | Q(new_end__isnull=False),
                name="amendment_changes_something",
                violation_error_message="Un avenant fixe un nouveau plafond, une nouvelle fin, ou les deux.",
            ),
            RowCheck(
                condition=Q(new_ceiling__isnull=True) | Q(new_ceiling__gt=0),
                name="amendment_ceiling_positive",
                violation_error_message="Le nouveau plafond doit être strictement positif.",
            ),
        ]

    def __str__(self):
        return f"Avenant n° {self.number} du {fr_date(self.signed_on)}"


# --- Tranches -----------------------------------------------------------------------------------
class TrancheQuerySet(models.QuerySet):
    def with_figures(self, on: date | None = None):
        on = on or today()
        return self.annotate(
            allocated_total=_sum_of(Allocation.objects.all(), "tranche"),
            committed_total=_sum_of(Commitment.objects.all(), "allocation__tranche"),
            paid_total=_sum_of(
                Payment.objects.filter(paid_on__lte=on), "commitment__allocation__tranche"
            ),
            paid_recently_total=_sum_of(_recent_payments(on), "commitment__allocation__tranche"),
            figures_on=Value(on, output_field=models.DateField()),
        )


class Tranche(WithFiguresMixin, models.Model):
    """Credits made available under a convention, in AE and CP."""

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="tranches", verbose_name="convention"
    )
    number = models.PositiveSmallIntegerField("numéro")
    available_on = models.DateField("mise à disposition le")
    ae_amount = amount_field("AE (€)")
    cp_amount = amount_field("CP (€)")
    # The committees app links its decisions to tranches; here only a free reference.
    decision_reference = models.CharField(
        "décision de comité (référence)", max_length=200, blank=True
    )

    history = HistoricalRecords()
    objects = TrancheQuerySet.as_manager()

    class Meta:
        verbose_name = "tranche"
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "number"],
                name="tranche_number_unique",
                violation_error_message="Une tranche porte déjà ce numéro dans cette convention.",
            ),
            positive("ae_amount", "tranche_ae_positive", "Le montant en AE"),
            positive("cp_amount", "tranche_cp_positive", "Le montant en CP"),
        ]

    def __str__(self):
        return f"{self.convention.reference} — tranche {self.number}"


# --- Allocations --------------------------------------------------------------------------------
class AllocationQuerySet(models.QuerySet):
    def with_figures(self, on: date | None = None):
        on = on or today()
        return self.annotate(
            allocated_total=F("amount"),
            committed_total=_sum_of(Commitment.objects.all(), "allocation"),
            paid_total=_sum_of(Payment.objects.filter(paid_on__lte=on), "commitment__allocation"),
            paid_recently_total=_sum_of(_recent_payments(on), "commitment__allocation"),
            figures_on=Value(on, output_field=models.DateField()),
        )


class Allocation(WithFiguresMixin, models.Model):
    """Part of a tranche earmarked for a startup or a named workstream."""

    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, related_name="allocations", verbose_name="tranche"
    )
    startup = models.ForeignKey(
        Startup,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name="startup",
        null=True,
        blank=True,
    )
    workstream = models.CharField(
        "chantier (si pas une startup)",
        max_length=200,
        blank=True,
        help_text="Par exemple « équipe transverse ».",
    )
    amount = amount_field("montant (€)")
    purpose = models.TextField("objet")
    # Made by a committee's decision (`services.propose_allocation`): it changes only through a
    # new decision, or an explicit correction whose reason the history keeps.
    decided = models.BooleanField("décidée en comité", default=False, editable=False)
    # The period the money is for. A decision sets it (`propose_allocation`): from the day the
    # decision takes effect, no commitment before; to the end of the period it decided, which
    # the monthly report compares with the convention's end. Optional on a hand-made one.
    period_start = models.DateField(
        "période : début",
        null=True,
        blank=True,
        help_text="Aucun engagement ne peut être daté avant (date d'effet de la décision).",
    )
    period_end = models.DateField("période : fin", null=True, blank=True)

    history = HistoricalRecords()
    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "allocation"
        ordering = ["tranche", "pk"]
        constraints = [
            positive("amount", "allocation_amount_positive", "Le montant de l'allocation"),
            RowCheck(
                condition=(Q(startup__isnull=False) & Q(workstream=""))
                | (Q(startup__isnull=True) & ~Q(workstream="")),
                name="allocation_has_one_beneficiary",
                violation_error_message="Une allocation va à une startup ou à un chantier nommé, pas aux deux.",
            ),
            RowCheck(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="allocation_period_ends_after_it_starts",
                violation_error_message="La fin de la période de l'allocation doit suivre son début.",
            ),
        ]

    def __str__(self):
        # A startup can hold several allocations on one tranche (a committee proposes another
        # one): the amount, the purpose and the number tell them apart.
        number = f", n° {self.pk}" if self.pk else ""
        return (
            f"{self.beneficiary} — {euros(self.amount, plain=True)}, « {Truncator(self.purpose).chars(40)} » "
            f"({self.tranche}{number})"
        )

    @property
    def beneficiary(self) -> str:
        """The startup's title or the workstream's name (shared by its allocations)."""
        return self.startup.title if self.startup_id else self.workstream


# --- Commitments (AE) ---------------------------------------------------------------------------
class Activity(models.TextChoices):
    DEVELOPMENT = "developpement", "Développement"
    DESIGN = "design", "Design"
    DEPLOYMENT = "deploiement", "Déploiement / communication"
    COACHING = "coaching", "Coaching / pilotage"
    HOSTING = "hebergement", "Hébergement"
    SECURITY = "securite", "Sécurité"
    DATA = "data", "Data"
    SUPPORT = "support", "Support"
    OTHER = "autre", "Autre"


class Resource(models.TextChoices):
    STAFF = "personnel", "Personnel"
    SERVICES = "prestations", "Prestations externes"
    EQUIPMENT = "materiel", "Matériel"
    SOFTWARE = "logiciel", "Logiciel / SaaS"
    OVERHEAD = "frais_structure", "Frais de structure"
    OTHER = "autre", "Autre"


class PublicContract(models.TextChoices):
    COACHING = "coaching", "Marché Coaching"
    BUILD = "developpement", "Marché Développement/déploiement/design/hébergement"
    OTHER = "autre", "Autre marché"
    NONE = "hors_marche", "Hors marché"


class TaxBasis(models.TextChoices):
    TTC = "TTC", "TTC"
    HT = "HT", "HT"


class CommitmentQuerySet(models.QuerySet):
    def with_figures(self, on: date | None = None):
        on = on or today()
        return self.annotate(
            allocated_total=Value(ZERO, output_field=models.DecimalField()),
            committed_total=F("amount"),
            paid_total=_sum_of(Payment.objects.filter(paid_on__lte=on), "commitment"),
            paid_recently_total=_sum_of(_recent_payments(on), "commitment"),
            figures_on=Value(on, output_field=models.DateField()),
        )


class Commitment(WithFiguresMixin, models.Model):
    """An engagement juridique (purchase order...): consumes AE of an allocation."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="commitments", verbose_name="allocation"
    )
    committed_on = models.DateField("engagé le")
    label = models.CharField("objet", max_length=300, blank=True)
    supplier = models.CharField("fournisseur", max_length=200)
    purchase_order = models.CharField("bon de commande / EJ", max_length=100, blank=True)
    public_contract = models.CharField(
        "marché", max_length=20, choices=PublicContract.choices, default=PublicContract.BUILD
    )
    activity = models.CharField("activité", max_length=20, choices=Activity.choices)
    resource = models.CharField("ressource", max_length=20, choices=Resource.choices)
    amount = amount_field("montant (€)")
    tax_basis = models.CharField(
        "HT/TTC", max_length=3, choices=TaxBasis.choices, default=TaxBasis.TTC
    )
    # Supplier and purchase order are internal references: published only when marked so.
    references_public = models.BooleanField("fournisseur et bon de commande publics", default=False)

    history = HistoricalRecords()
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = "engagement"
        ordering = ["committed_on", "pk"]
        constraints = [
            positive("amount", "commitment_amount_positive", "Le montant de l'engagement"),
        ]
        indexes = [
            # Serves the monthly report and the public figures by month/year.
            models.Index(fields=["committed_on"], name="commitment_committed_on"),
            # Serves the payment import, which finds a commitment by its purchase order.
            models.Index(fields=["purchase_order"], name="commitment_purchase_order"),
        ]

    def __str__(self):
        reference = self.purchase_order or self.label or self.supplier
        return f"{reference} — {fr_date(self.committed_on)}"


# --- Payments (CP) ------------------------------------------------------------------------------
class Payment(models.Model):
    """A payment after service fait: consumes CP."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="payments", verbose_name="engagement"
    )
    service_done_on = models.DateField("service fait le")
    paid_on = models.DateField("payé le")
    amount = amount_field("montant (€)")
    reference = models.CharField("référence de la demande de paiement", max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "paiement"
        ordering = ["paid_on", "pk"]
        constraints = [
            positive("amount", "payment_amount_positive", "Le montant du paiement"),
            RowCheck(
                condition=Q(paid_on__gte=F("service_done_on")),
                name="payment_after_service_done",
                violation_error_message="Le paiement ne peut pas précéder le service fait.",
            ),
        ]
        indexes = [models.Index(fields=["paid_on"], name="payment_paid_on")]

    def __str__(self):
        return f"Paiement du {fr_date(self.paid_on)}"


# --- Figures grouped by any key ------------------------------------------------------------------
# For each grouping key: the path from an Allocation, a Commitment and a Payment (None when the
# key does not apply: an allocation has no activity, so it is not counted by activity).
GROUPINGS = {
    "convention": (
        "tranche__convention",
        "allocation__tranche__convention",
        "commitment__allocation__tranche__convention",
    ),
    "tranche": ("tranche", "allocation__tranche", "commitment__allocation__tranche"),
    "allocation": ("pk", "allocation", "commitment__allocation"),
    "startup": ("startup", "allocation__startup", "commitment__allocation__startup"),
    "workstream": ("workstream", "allocation__workstream", "commitment__allocation__workstream"),
    "uo": (
        "tranche__convention__uo",
        "allocation__tranche__convention__uo",
        "commitment__allocation__tranche__convention__uo",
    ),
    "activity": (None, "activity", "commitment__activity"),
    "resource": (None, "resource", "commitment__resource"),
    "year": (
        ExtractYear("tranche__available_on"),
        ExtractYear("committed_on"),
        ExtractYear("paid_on"),
    ),
    "month": (
        TruncMonth("tranche__available_on"),
        TruncMonth("committed_on"),
        TruncMonth("paid_on"),
    ),
}


def figures_by(
    *keys: str,
    allocations=None,
    commitments=None,
    payments=None,
    on: date | None = None,
) -> dict[tuple, Figures]:
    """{(key values...): Figures} in three queries whatever the data size.

    `allocations`, `commitments`, `payments` narrow what is counted (a startup, a convention,
    up to a date); payments after `on` (today by default) are never counted.
    """
    on = on or today()
    allocations = Allocation.objects.all() if allocations is None else allocations
    commitments = Commitment.objects.all() if commitments is None else commitments
    payments = Payment.objects.all() if payments is None else payments
    result: dict[tuple, Figures] = {}

    def grouped(queryset, position: int, **sums):
        paths = [GROUPINGS[key][position] for key in keys]
        if any(path is None for path in paths):
            return []
        names = {
            f"k{n}": path if not isinstance(path, str) else F(path) for n, path in enumerate(paths)
        }
        rows = queryset.order_by().annotate(**names).values(*names).annotate(**sums)
        return [(tuple(row[f"k{n}"] for n in range(len(keys))), row) for row in rows]

    def figures(key) -> Figures:
        return result.setdefault(key, Figures(on=on))

    for key, row in grouped(allocations, 0, total=Sum("amount")):
        figures(key).allocated += row["total"]
    for key, row in grouped(commitments, 1, total=Sum("amount")):
        figures(key).committed += row["total"]
    window_start = months_before(on, BURN_WINDOW_MONTHS)
    for key, row in grouped(
        payments.filter(paid_on__lte=on),
        2,
        total=Sum("amount"),
        recent=Coalesce(Sum("amount", filter=Q(paid_on__gt=window_start)), Value(ZERO)),
    ):
        figures(key).paid += row["total"]
        figures(key).paid_recently += row["recent"]
    return result


def total_of(figures: dict[tuple, Figures], on: date | None = None) -> Figures:
    total = Figures(on=on or today())
    for item in figures.values():
        total = total + item
    return total
