"""Demo impact data: a North Star and a few indicators of the impact matrix per demo startup,
their values reported each month through the CSV import (`impact.services.import_measurements`,
the path a team uses). Never used by production code; the story is `portfolio/demo_story.py`.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from impact.models import Direction, ImpactCategory, Indicator
from impact.services import import_measurements

SOURCE = "tableau de bord de l'équipe (démonstration)"


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    category: str
    direction: str = Direction.HIGHER_IS_BETTER
    start: float = 0
    monthly_change: float = 0  # relative when below 0.2 in absolute value, else in points
    ceiling: float | None = None
    target: float | None = None


# (name, unit, unit for a cost, monthly level at the start of construction)
NORTH_STARS = {
    "dossiers": ("Dossiers déposés en ligne", "dossiers déposés", "dossier déposé", 120),
    "usagers": ("Usagers accompagnés", "usagers accompagnés", "usager accompagné", 80),
    "demarches": ("Démarches abouties", "démarches abouties", "démarche aboutie", 200),
    "diagnostics": ("Diagnostics réalisés", "diagnostics réalisés", "diagnostic réalisé", 60),
    "controles": ("Contrôles programmés", "contrôles programmés", "contrôle programmé", 40),
}
OTHERS = [
    Metric("Taux de satisfaction", "%", ImpactCategory.USEFUL, start=62, monthly_change=1.2, ceiling=92, target=80),
    Metric("Utilisateurs actifs mensuels", "utilisateurs", ImpactCategory.USED, start=150, monthly_change=0.09),
    Metric("Disponibilité du service", "%", ImpactCategory.USABLE, start=98.2, monthly_change=0.08, ceiling=99.9, target=99.5),
    Metric("Délai moyen de traitement", "jours", ImpactCategory.EFFICIENT, Direction.LOWER_IS_BETTER, start=42, monthly_change=-0.04, target=15),
    Metric("Part des démarches sans erreur", "%", ImpactCategory.USEFUL, start=71, monthly_change=1.0, ceiling=97, target=90),
]  # fmt: skip


def create_indicators(
    startup, north_star: str, others: int, seed: str, target=None, target_date=None
) -> list[Indicator]:
    """The North Star first (with the team's target), then `others` (2 to 4) indicators."""
    name, unit, singular, _ = NORTH_STARS[north_star]
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    indicators = [
        Indicator(
            startup=startup,
            name=name,
            description="L'étoile polaire de l'équipe : ce que le service change, relevé chaque mois.",
            unit=unit,
            unit_singular=singular,
            category=ImpactCategory.IMPACT,
            is_north_star=True,
            target=target,
            target_date=target_date,
            position=0,
        )
    ]
    for position, metric in enumerate(rng.sample(OTHERS, others), 1):
        indicators.append(
            Indicator(
                startup=startup,
                name=metric.name,
                unit=metric.unit,
                category=metric.category,
                direction=metric.direction,
                target=Decimal(str(metric.target)) if metric.target is not None else None,
                position=position,
            )
        )
    for indicator in indicators:
        indicator.full_clean()
        indicator.save()
    return indicators


def metric_of(indicator: Indicator) -> Metric | None:
    return next((m for m in OTHERS if m.name == indicator.name), None)


def value_of(indicator: Indicator, level: float, month_index: int, rng: random.Random) -> Decimal:
    """This month's value: the North Star follows `level` (the story's curve), the others drift
    from their start towards their ceiling, with a little noise."""
    if indicator.is_north_star:
        return Decimal(round(level * rng.uniform(0.92, 1.08)))
    metric = metric_of(indicator)
    change = metric.monthly_change
    if abs(change) < 0.2:
        current = metric.start * (1 + change) ** month_index
    else:
        current = metric.start + change * month_index
    if metric.ceiling is not None:
        current = min(current, metric.ceiling)
    current *= rng.uniform(0.985, 1.015)
    if metric.unit == "%":
        return Decimal(str(round(min(max(current, 0), 100), 1)))
    return Decimal(str(round(max(current, 0), 1 if metric.unit == "jours" else None)))


def report_month(startup, lines: list[tuple[Indicator, date, Decimal]]) -> None:
    """One month's values, imported as the team would (a CSV through the import service)."""
    csv = "indicateur;période;valeur;source\n" + "".join(
        f"{indicator.name};{month:%Y-%m};{value};{SOURCE}\n" for indicator, month, value in lines
    )
    report = import_measurements(startup=startup, file=csv)
    if not report.ok:
        raise RuntimeError(f"Import de démonstration refusé pour {startup.pk} : {report.problems}")
