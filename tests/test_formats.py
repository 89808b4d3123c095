"""French writing of dates: the page's fast path says what Django's localisation says."""

from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import date_format

from publishing.formats import long_date


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("day_of_month", [1, 9, 28])
def test_a_long_date_is_what_django_writes_in_french(month, day_of_month):
    day = date(2026, month, day_of_month)
    with translation.override("fr"):
        assert long_date(day) == date_format(day, "j F Y")
