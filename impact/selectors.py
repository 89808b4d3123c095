"""Reads of impact data that pages and the API share."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from impact.models import Indicator, Measurement
from startups.models import Startup


def load_startup_impact(startup_id: str):
    """The startup (1 query) and its public indicators with their values (2 queries)."""
    startup = get_object_or_404(
        Startup.objects.with_current_phase()
        .select_related("incubator")
        .only(
            "id",
            "title",
            "mission",
            "repository",
            "accessibility_status",
            "risk_analysis_done",
            "incubator__id",
            "incubator__title",
        ),
        pk=startup_id,
    )
    indicators = list(
        Indicator.objects.public()
        .filter(startup=startup)
        .order_by("-is_north_star", "position", "name")
        .prefetch_related(Prefetch("measurements", queryset=Measurement.objects.chronological()))
    )
    return startup, indicators
