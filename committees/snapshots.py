"""What a dossier freezes when it is sent: the impact data, the money and the team, as they were.

Stored as plain JSON on the dossier, so later corrections of indicators or payments never
change what the committee saw.
"""

from datetime import date

from startups.members import team_of
from startups.models import Startup


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def indicators(startup: Startup) -> list[dict]:
    """Each indicator with its last twelve values, the North Star first."""
    from impact.models import Indicator, Measurement, period_label

    items = list(
        Indicator.objects.filter(startup=startup).order_by("-is_north_star", "position", "name")
    )
    values = {}
    for measurement in Measurement.objects.filter(indicator__in=items).order_by("-period_start"):
        values.setdefault(measurement.indicator_id, [])
        if len(values[measurement.indicator_id]) < 12:
            values[measurement.indicator_id].append(
                {
                    "period": period_label(measurement.period_kind, measurement.period_start),
                    "start": measurement.period_start.isoformat(),
                    "value": _number(measurement.value),
                }
            )
    return [
        {
            "name": indicator.name,
            "unit": indicator.unit,
            "category": indicator.get_category_display(),
            "north_star": indicator.is_north_star,
            "target": _number(indicator.target),
            "target_date": indicator.target_date.isoformat() if indicator.target_date else None,
            "values": list(reversed(values.get(indicator.pk, []))),
        }
        for indicator in items
    ]


def money(startup: Startup) -> dict:
    """Allocated, committed, paid, reste à payer and the burn rate, in euros as strings."""
    from budgets.selectors import startup_figures

    figures = startup_figures(startup.pk)
    return {
        "on": figures.on.isoformat(),
        "allocated": _number(figures.allocated),
        "committed": _number(figures.committed),
        "paid": _number(figures.paid),
        "to_pay": _number(figures.to_pay),
        "available": _number(figures.available),
        "monthly_burn": _number(figures.monthly_burn),
        "runs_out_on": figures.runs_out_on.isoformat() if figures.runs_out_on else None,
    }


def team(startup: Startup, on: date) -> dict:
    """The members on a mission on `on` (beta.gouv.fr's rule, startups.members), counted by
    domain, with their names, roles and domains: what beta.gouv.fr publishes, no e-mail."""
    members = team_of(startup.pk, on)
    return {
        "on": on.isoformat(),
        "active": len(members.active),
        "by_domain": [
            {"domain": domain, "count": count} for domain, count in members.active_by_domain
        ],
        "members": [
            {"fullname": m.fullname, "role": m.role, "domaine": m.domaine} for m in members.active
        ],
    }
