"""Impact data of a startup: its indicators (one of them its North Star) and their measurements.

The rules that matter live in the schema: at most one North Star per startup (a partial unique
index), one value per indicator and period, a month always starts on its first day.
"""

from datetime import date, timedelta

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from publishing.formats import MONTHS
from startups.models import today

# How old the last value of an indicator may be, counted from the end of its period, before
# the indicator is stale. The North Star is followed monthly (DOMAIN.md): a month's value is
# expected in the first half of the next month. Other indicators: about a quarter.
NORTH_STAR_STALE_AFTER = timedelta(days=45)
INDICATOR_STALE_AFTER = timedelta(days=100)


class ImpactCategory(models.TextChoices):
    """The programme's impact matrix (DOMAIN.md)."""

    USABLE = "usable", "Utilisable"
    USED = "used", "Utilisé"
    USEFUL = "useful", "Utile"
    IMPACT = "impact", "Impact"
    EFFICIENT = "efficient", "Efficient"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Plus c'est haut, mieux c'est"
    LOWER_IS_BETTER = "lower", "Plus c'est bas, mieux c'est"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Mois"
    DAY = "day", "Jour"


def period_end(kind: str, start: date) -> date:
    if kind == PeriodKind.MONTH:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return start


def stale_after(is_north_star: bool) -> timedelta:
    return NORTH_STAR_STALE_AFTER if is_north_star else INDICATOR_STALE_AFTER


def is_fresh(kind: str | None, start: date | None, is_north_star: bool, on: date) -> bool:
    """The freshness rule in Python; `IndicatorQuerySet.fresh` says the same in SQL."""
    if start is None:
        return False
    return period_end(kind, start) >= on - stale_after(is_north_star)


def latest_period(measurements) -> tuple[str | None, date | None]:
    """(kind, start) of the period that ends last, the one freshness is judged on; (None, None)
    without values. Not the last to start: March's value ends on 31 March, after the day value
    of 10 March, and the SQL rule (`IndicatorQuerySet.fresh`) counts any fresh value.
    """
    latest = max(
        measurements, key=lambda m: period_end(m.period_kind, m.period_start), default=None
    )
    return (latest.period_kind, latest.period_start) if latest else (None, None)


def half_year_key(day: date) -> str:
    """ "2025-S1" (January–June) or "2025-S2": the periods of committees and money."""
    return f"{day.year}-S{1 if day.month <= 6 else 2}"


class IndicatorQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def north_stars(self):
        return self.filter(is_north_star=True)

    @staticmethod
    def _fresh_condition(on: date) -> Q:
        def recent(is_north_star: bool) -> Exists:
            # A month's value is fresh while its last day is within the threshold: i.e. when
            # the month starts on or after the first day of the month holding the limit.
            limit = on - stale_after(is_north_star)
            return Exists(
                Measurement.objects.filter(indicator=OuterRef("pk")).filter(
                    Q(period_kind=PeriodKind.MONTH, period_start__gte=limit.replace(day=1))
                    | Q(period_kind=PeriodKind.DAY, period_start__gte=limit)
                )
            )

        return (Q(is_north_star=True) & Q(recent(True))) | (
            Q(is_north_star=False) & Q(recent(False))
        )

    def fresh(self, on: date | None = None):
        return self.filter(self._fresh_condition(on or today()))

    def stale(self, on: date | None = None):
        """No value at all, or a last value older than the threshold."""
        return self.filter(~self._fresh_condition(on or today()))

    def with_last_measurement(self):
        """Annotate `last_period_kind`, `last_period_start`, `last_value` (one subquery each):
        the period that ends last, as `latest_period` (the staff badge judges freshness on it)."""
        # Ordered by the start alone, a day value of 10 March came before March's value, which
        # ends on the 31st: the badge said "pas à jour" beside a filter that said "à jour".
        ends = models.Case(
            models.When(
                period_kind=PeriodKind.MONTH,
                then=models.Func(
                    F("period_start"),
                    template="(%(expressions)s + interval '1 month - 1 day')::date",
                    output_field=models.DateField(),
                ),
            ),
            default=F("period_start"),
            output_field=models.DateField(),
        )
        latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by(
            ends.desc(), "period_kind"
        )
        return self.annotate(
            last_period_kind=models.Subquery(latest.values("period_kind")[:1]),
            last_period_start=models.Subquery(latest.values("period_start")[:1]),
            last_value=models.Subquery(latest.values("value")[:1]),
        )


class Indicator(models.Model):
    startup = models.ForeignKey(
        "startups.Startup",
        verbose_name="startup",
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)
    unit = models.CharField(
        "unité",
        max_length=100,
        help_text="Au pluriel, comme on lit une valeur : « dossiers déposés ».",
    )
    unit_singular = models.CharField(
        "unité au singulier",
        max_length=100,
        blank=True,
        help_text="Pour le coût par unité : « 0,42 € par dossier déposé ». Par défaut, l'unité.",
    )
    category = models.CharField("catégorie", max_length=20, choices=ImpactCategory.choices)
    direction = models.CharField(
        "sens", max_length=10, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    is_count = models.BooleanField(
        "décompte par période",
        default=True,
        help_text=(
            "Coché : les valeurs de plusieurs périodes s'additionnent (dossiers déposés par mois). "
            "Décoché : un taux ou un stock (satisfaction, utilisateurs actifs), qui ne s'additionne pas."
        ),
    )
    can_be_negative = models.BooleanField("peut être négatif", default=False)
    target = models.DecimalField("cible", max_digits=20, decimal_places=4, null=True, blank=True)
    target_date = models.DateField("cible à atteindre le", null=True, blank=True)
    is_north_star = models.BooleanField("étoile polaire (North Star)", default=False)
    is_public = models.BooleanField("public", default=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords(table_name="startups_historicalindicator")
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["startup", "-is_north_star", "position", "name"]
        # The tables kept their names when impact left the startups app (no data moved).
        db_table = "startups_indicator"
        constraints = [
            # A partial unique index: at most one row with is_north_star per startup.
            models.UniqueConstraint(
                fields=["startup"],
                condition=Q(is_north_star=True),
                name="one_north_star_per_startup",
                violation_error_message=(
                    "Cette startup a déjà une étoile polaire : décochez-la sur l'autre "
                    "indicateur avant d'en choisir une nouvelle (une seule par startup)."
                ),
            ),
            # The CSV import finds an indicator by its name, whatever its case.
            models.UniqueConstraint(
                Lower("name"),
                F("startup"),
                name="indicator_name_unique_per_startup",
                violation_error_message="Cette startup a déjà un indicateur de ce nom.",
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target__isnull=False),
                name="indicator_target_date_needs_a_target",
                violation_error_message="Une date de cible demande une valeur cible.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.startup_id})"

    @property
    def unit_for_cost(self) -> str:
        return self.unit_singular or self.unit


class MeasurementQuerySet(models.QuerySet):
    def chronological(self):
        return self.order_by("period_start", "period_kind")


class Measurement(models.Model):
    """An indicator's value for a month (by default) or a day. Corrections keep history."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name="indicateur",
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    period_kind = models.CharField(
        "période", max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    period_start = models.DateField(
        "début de la période", help_text="Pour un mois, n'importe quel jour du mois convient."
    )
    value = models.DecimalField("valeur", max_digits=20, decimal_places=4)
    source = models.CharField("source", max_length=500, blank=True)
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords(table_name="startups_historicalmeasurement")
    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure"
        ordering = ["indicator", "period_start"]
        db_table = "startups_measurement"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start"],
                name="one_value_per_indicator_and_period",
                violation_error_message=(
                    "Cet indicateur a déjà une valeur pour cette période : corrigez la valeur "
                    "existante plutôt que d'en ajouter une seconde (l'historique garde l'ancienne)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(period_kind=PeriodKind.MONTH) | Q(period_start__day=1),
                name="a_month_starts_on_its_first_day",
                violation_error_message="Une période mensuelle commence le premier du mois.",
            ),
        ]
        indexes = [
            # Serves the freshness test and "last value": the latest periods of an indicator.
            models.Index(fields=["indicator", "-period_start"], name="measurement_latest"),
        ]

    def __str__(self):
        return f"{self.indicator.name} — {self.period_label} : {self.value}"

    @property
    def period_end(self) -> date:
        return period_end(self.period_kind, self.period_start)

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period_start)


def period_label(kind: str | None, start: date | None) -> str:
    """« mars 2025 » or « 15 mars 2025 »."""
    if start is None:
        return "—"
    month = f"{MONTHS[start.month - 1]} {start.year}"
    if kind == PeriodKind.MONTH:
        return month
    return f"{'1er' if start.day == 1 else start.day} {month}"
