"""Querysets compiled once per process (publishing.compiled): the rows are those Django gives
for the same queryset, for every value, with one query and no compilation after the first."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear

from budgets.models import Allocation
from publishing.compiled import CompiledQuery, compiled_query
from startups.models import Startup
from tests.factories import StartupFactory
from tests.factories_budgets import AllocationFactory, TrancheFactory

pytestmark = pytest.mark.django_db


def allocations_by_year(startup_id):
    return (
        Allocation.objects.filter(startup_id=startup_id, amount__gt=Decimal("0.50"))
        .annotate(year=ExtractYear("tranche__available_on"))
        .values("year", "tranche__convention__reference")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )


def test_rows_are_those_of_the_queryset_for_each_value(django_assert_num_queries):
    compiled = CompiledQuery(allocations_by_year, {"startup_id": "\x00startup"})
    first, second, alone = StartupFactory(), StartupFactory(), StartupFactory()
    for day, amount in ((date(2025, 2, 1), "1000.10"), (date(2026, 3, 1), "250.00")):
        AllocationFactory(startup=first, tranche=TrancheFactory(available_on=day), amount=amount)
    AllocationFactory(startup=second, amount="0.40")  # kept out by the constant of the query
    for startup in (first, second, alone):
        with django_assert_num_queries(1):
            rows = compiled.rows(startup_id=startup.pk)
        assert rows == list(allocations_by_year(startup.pk))
    assert [(row["year"], row["total"]) for row in compiled.rows(startup_id=first.pk)] == [
        (2025, Decimal("1000.10")),
        (2026, Decimal("250.00")),
    ]
    assert compiled.rows(startup_id="'; DROP TABLE budgets_allocation; --") == []


def test_the_queryset_is_built_and_compiled_once():
    built = []

    @compiled_query(startup_id="\x00startup")
    def counted(startup_id):
        built.append(startup_id)
        return allocations_by_year(startup_id)

    for startup in (StartupFactory(), StartupFactory()):
        counted.rows(startup_id=startup.pk)
    assert built == ["\x00startup"]


def test_a_stand_in_missing_from_the_sql_is_refused_at_once():
    # A value written into the query differently (here never used) would be silently ignored.
    compiled = CompiledQuery(
        lambda startup_id: Allocation.objects.values("pk"), {"startup_id": "\x00startup"}
    )
    with pytest.raises(ValueError, match="stand-ins not found"):
        compiled.rows(startup_id="x")


def test_two_equal_stand_ins_and_a_list_of_another_length_are_refused():
    twice = CompiledQuery(
        lambda first, second: Allocation.objects.filter(startup_id__in=[first, second]).values(
            "pk"
        ),
        {"first": "\x00same", "second": "\x00same"},
    )
    with pytest.raises(ValueError, match="given twice"):
        twice.rows(first="a", second="b")
    listed = CompiledQuery(
        lambda ids: Allocation.objects.filter(startup_id__in=ids).values("pk"),
        {"ids": ["\x00one", "\x00two"]},
    )
    assert listed.rows(ids=["a", "b"]) == []
    with pytest.raises(ValueError, match="2 values expected"):
        listed.rows(ids=["a", "b", "c"])


def test_the_sql_of_a_model_queryset_reads_the_same_objects_through_raw():
    compiled = CompiledQuery(
        lambda startup_id: Allocation.objects.filter(startup_id=startup_id).order_by("pk"),
        {"startup_id": "\x00startup"},
    )
    startup = StartupFactory()
    AllocationFactory(startup=startup, amount="10.00")
    AllocationFactory(startup=startup, amount="20.00")
    AllocationFactory()
    read = list(Allocation.objects.raw(*compiled.sql(startup_id=startup.pk)))
    assert [(a.pk, a.amount) for a in read] == list(
        Allocation.objects.filter(startup=startup).order_by("pk").values_list("pk", "amount")
    )
    with pytest.raises(TypeError, match=r"runs a \.values\(\) queryset"):
        compiled.rows(startup_id=startup.pk)


def server_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements")
        return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}


def test_the_sql_is_prepared_once_per_connection_and_planned_once():
    compiled = CompiledQuery(allocations_by_year, {"startup_id": "\x00startup"})
    startup = StartupFactory()
    AllocationFactory(startup=startup, tranche=TrancheFactory(available_on=date(2025, 2, 1)))
    expected = list(allocations_by_year(startup.pk))
    sql, params = compiled.sql(startup_id=startup.pk)
    name = sql.split()[1].split("(")[0]
    assert sql.startswith("EXECUTE ") and params[-1] == startup.pk
    before = server_statements()[name]  # the connection may have run it in an earlier test
    for other in (startup.pk, "autre", startup.pk):
        assert compiled.rows(startup_id=other) == list(allocations_by_year(other))
    # Prepared once, and one generic plan for every execution (no value planned again).
    assert server_statements()[name] == (before[0] + 3, 0)
    assert compiled.rows(startup_id=startup.pk) == expected


@pytest.mark.django_db(transaction=True)  # a connection closed inside a transaction stays closed
def test_a_new_connection_prepares_again():
    compiled = CompiledQuery(allocations_by_year, {"startup_id": "\x00startup"})
    startup = StartupFactory()
    compiled.rows(startup_id=startup.pk)
    connection.close()  # as CONN_MAX_AGE or a lost server would
    assert compiled.rows(startup_id=startup.pk) == list(allocations_by_year(startup.pk))
    assert len([n for n in server_statements() if n.startswith("q")]) == 1


def test_a_percent_sign_of_the_sql_reaches_the_server_as_one():
    compiled = CompiledQuery(
        lambda startup_id: Startup.objects.filter(pk=startup_id, title__contains="50%").values(
            "pk"
        ),
        {"startup_id": "\x00startup"},
    )
    startup = StartupFactory(title="Aide à 50% pour tous")
    StartupFactory(title="Aide à 50 pour tous")
    assert compiled.rows(startup_id=startup.pk) == [{"pk": startup.pk}]


def test_objects_are_those_raw_reads_without_its_mapping_each_time(django_assert_num_queries):
    compiled = CompiledQuery(
        lambda startup_id: (
            Allocation.objects.filter(startup_id=startup_id)
            .defer("purpose")
            .annotate(double=F("amount") * 2)
            .order_by("pk")
        ),
        {"startup_id": "\x00startup"},
    )
    startup = StartupFactory()
    AllocationFactory(startup=startup, amount="10.00")
    AllocationFactory(startup=startup, amount="20.50")
    AllocationFactory()
    raw = list(Allocation.objects.raw(*compiled.sql(startup_id=startup.pk)))
    with django_assert_num_queries(1):
        read = compiled.objects(startup_id=startup.pk)
    assert [(a.pk, a.amount, a.double, a.startup_id) for a in read] == [
        (a.pk, a.amount, a.double, a.startup_id) for a in raw
    ]
    assert read[1].double == Decimal("41.00") and not read[0]._state.adding
    assert read[0].get_deferred_fields() == raw[0].get_deferred_fields() == {"purpose"}
    assert compiled.objects(startup_id="autre") == []
    with pytest.raises(TypeError, match=r"runs a model queryset"):
        CompiledQuery(allocations_by_year, {"startup_id": "\x00startup"}).objects(startup_id="x")


def test_an_array_stand_in_is_replaced_whole_by_a_list_of_any_length(django_assert_num_queries):
    from django.db.models.expressions import RawSQL

    from publishing.compiled import Array

    @compiled_query(ids=Array(["\x00identifiant"]))
    def titles_of(ids):
        return (
            Startup.objects.filter(pk__in=RawSQL("SELECT unnest(%s::text[])", (ids,)))
            .order_by("title")
            .values("title")
        )

    a, b, _ = StartupFactory(title="A"), StartupFactory(title="B"), StartupFactory(title="C")
    for ids, titles in (([a.pk], ["A"]), ([b.pk, a.pk, "absente"], ["A", "B"]), ([], [])):
        with django_assert_num_queries(1):
            assert [row["title"] for row in titles_of.rows(ids=ids)] == titles
