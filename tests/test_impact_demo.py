"""Demo impact data: plausible, idempotent."""

from datetime import date, timedelta

import pytest

from impact.demo import seed_indicators
from impact.models import Indicator, Measurement
from tests import clock
from tests.factories import startup_with_phases

pytestmark = pytest.mark.django_db


def test_it_seeds_active_startups_once():
    today = clock.today()
    for n in range(5):
        startup_with_phases(
            ("investigation", date(2022, 1, 1)), ("construction", date(2022, 3, 1)), id=f"s{n}"
        )
    startup_with_phases(("investigation", today - timedelta(days=10)), id="too-early")
    assert seed_indicators(write=lambda _: None) == 5
    assert Indicator.objects.north_stars().count() == 5
    assert not Indicator.objects.filter(startup_id="too-early").exists()
    star = Indicator.objects.north_stars().first()
    assert star.measurements.count() >= 19  # 24 months, or a few less when stale
    assert Measurement.objects.filter(value__lt=0).count() == 0
    counts = (Indicator.objects.count(), Measurement.objects.count())
    assert seed_indicators(write=lambda _: None) == 0
    assert (Indicator.objects.count(), Measurement.objects.count()) == counts
