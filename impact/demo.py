"""Demo impact data for `make run` and the benchmarks. Never used by production code.

`seed_indicators` gives a few dozen active startups a North Star and one or two other
indicators of the impact matrix, with monthly values over their measured phases (from the start
of construction, 24 months at most; always 24 in a scaled portfolio, for the benchmarks). A
few North Stars stop some months ago, so the pages show stale ones too. Running it twice
changes nothing: startups that already have indicators are left alone.
"""

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from impact.models import Direction, ImpactCategory, Indicator, Measurement, PeriodKind
from startups.models import Startup, today
from startups.phases import PhaseKind

DEMO_STARTUPS = 40
MONTHS = 24
SCALED_PORTFOLIO = 662  # beyond the corpus size, values always span 24 months

# (name, unit, unit for a cost, monthly level to start from)
NORTH_STARS = [
    ("Dossiers déposés", "dossiers déposés", "dossier déposé", 800),
    ("Usagers accompagnés", "usagers accompagnés", "usager accompagné", 300),
    ("Démarches abouties", "démarches abouties", "démarche aboutie", 1500),
    ("Signalements traités", "signalements traités", "signalement traité", 120),
    ("Offres pourvues", "offres pourvues", "offre pourvue", 60),
]
# (name, unit, category, direction, is_count, start, monthly change, target)
OTHERS = [
    ("Taux de satisfaction", "%", ImpactCategory.USEFUL, Direction.HIGHER_IS_BETTER, False, 68, 0.5, 85),
    ("Utilisateurs actifs", "utilisateurs", ImpactCategory.USED, Direction.HIGHER_IS_BETTER, False, 900, 0.04, None),
    ("Disponibilité du service", "%", ImpactCategory.USABLE, Direction.HIGHER_IS_BETTER, False, 98.5, 0.03, 99.5),
    ("Délai moyen de traitement", "jours", ImpactCategory.EFFICIENT, Direction.LOWER_IS_BETTER, False, 45, -0.03, 15),
]  # fmt: skip


def month_offset(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = month_offset(current, 1)
    return months


def seed_indicators(write=print) -> int:
    """Indicators and monthly values for a few dozen active startups; returns how many."""
    on = today()
    scaled = Startup.objects.count() > SCALED_PORTFOLIO
    candidates = list(
        Startup.objects.with_current_phase()
        .filter(
            current_phase_kind__in=[
                PhaseKind.CONSTRUCTION,
                PhaseKind.ACCELERATION,
                PhaseKind.CONSOLIDATION,
            ],
            indicators__isnull=True,
        )
        .order_by("id")
        .values_list("id", "title")
    )
    already = Indicator.objects.values("startup").distinct().count()
    wanted = max(0, DEMO_STARTUPS - already)
    chosen = random.Random(20250101).sample(candidates, min(wanted, len(candidates)))  # noqa: S311
    if not chosen:
        write("Indicateurs de démonstration : déjà présents.")
        return 0
    construction_starts = dict(
        Startup.objects.filter(pk__in=[pk for pk, _ in chosen])
        .filter(phases__kind=PhaseKind.CONSTRUCTION)
        .values_list("pk", "phases__start")
    )
    last_month = month_offset(on, -1)
    indicators, values = [], []
    for number, (startup_id, _) in enumerate(chosen):
        rng = random.Random(startup_id)  # noqa: S311 (demo data)
        first = month_offset(last_month, -(MONTHS - 1))
        if not scaled and startup_id in construction_starts:
            first = max(first, construction_starts[startup_id].replace(day=1))
        # One startup in five stopped reporting its North Star a few months ago: stale.
        star_last = month_offset(last_month, -rng.randint(2, 5)) if number % 5 == 4 else last_month
        name, unit, singular, level = rng.choice(NORTH_STARS)
        star = Indicator(
            startup_id=startup_id,
            name=name,
            description="L'étoile polaire de l'équipe, relevée chaque mois.",
            unit=unit,
            unit_singular=singular,
            category=ImpactCategory.IMPACT,
            is_north_star=True,
            target=Decimal(round(level * 3, -1)),
            target_date=date(on.year + 1, 6, 30),
        )
        indicators.append(star)
        growth = rng.uniform(0.02, 0.07)
        for index, month in enumerate(_months_between(first, star_last)):
            value = level * (1 + growth) ** index * rng.uniform(0.85, 1.15)
            values.append((star, month, Decimal(round(value))))
        for other in rng.sample(OTHERS, rng.randint(1, 2)):
            label, other_unit, category, direction, is_count, start, change, target = other
            indicator = Indicator(
                startup_id=startup_id,
                name=label,
                unit=other_unit,
                category=category,
                direction=direction,
                is_count=is_count,
                target=Decimal(str(target)) if target is not None else None,
                position=1,
            )
            indicators.append(indicator)
            current = float(start)
            for month in _months_between(first, last_month):
                # Small changes are relative (users, delays), larger ones absolute (points).
                current = current * (1 + change) if abs(change) < 0.2 else current + change
                shown = max(current * rng.uniform(0.98, 1.02), 0)
                if other_unit == "%":
                    shown = min(shown, 100)
                values.append((indicator, month, Decimal(str(round(shown, 1)))))
    with transaction.atomic():
        Indicator.objects.bulk_create(indicators)
        Measurement.objects.bulk_create(
            (
                Measurement(
                    indicator=indicator,
                    period_kind=PeriodKind.MONTH,
                    period_start=month,
                    value=value,
                    source="données de démonstration",
                )
                for indicator, month, value in values
            ),
            batch_size=2000,
        )
    write(
        f"Indicateurs de démonstration : {len(chosen)} startups, {len(indicators)} indicateurs, "
        f"{len(values)} valeurs mensuelles."
    )
    return len(chosen)
