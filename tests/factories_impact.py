"""factory_boy factories for impact data: indicators and their measurements."""

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import factory

from impact.models import ImpactCategory, Indicator, Measurement, PeriodKind
from tests.factories import StartupFactory


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    startup = factory.SubFactory(StartupFactory)
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "dossiers déposés"
    unit_singular = "dossier déposé"
    category = ImpactCategory.USED


class NorthStarFactory(IndicatorFactory):
    name = "Dossiers déposés"
    is_north_star = True
    category = ImpactCategory.IMPACT


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period_kind = PeriodKind.MONTH
    period_start = date(2025, 1, 1)
    value = Decimal(100)


def add_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def monthly_values(indicator: Indicator, first: date, values: list) -> list[Measurement]:
    """One measurement per month from `first`, in one insert."""
    return Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator,
            period_kind=PeriodKind.MONTH,
            period_start=add_month(first.replace(day=1), n),
            value=Decimal(str(value)),
        )
        for n, value in enumerate(values)
    )


# --- Admin tests: read an HTML form back into POST data, as a browser would submit it ---------


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.data: list[tuple[str, str]] = []
        self._select = None
        self._textarea = None
        self._text = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self._in_form = True
            self.data = []
            self.forms.append(self.data)
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(html: str) -> dict:
    """{name: value or [values]} of the largest POST form of the page (not the logout one)."""
    parser = _FormParser()
    parser.feed(html)
    data: dict = {}
    for name, value in max(parser.forms, key=len):
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    return data
