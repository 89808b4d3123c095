"""Querysets compiled to SQL once per process, then run with other values.

Django builds and compiles a queryset again each time it runs: ~0.3 to 1 ms for a query with a
join, an aggregate or a filtered annotation, often more than PostgreSQL takes to run it. A page
built fresh runs the same few queries with only a value changed (the startup shown): each is
compiled once, with stand-in values where the real ones go, and run with the real ones in
their place, its rows converted as Django converts them.

    @compiled_query(startup_id=STAND_IN)
    def allocations_of(startup_id):
        return Allocation.objects.filter(startup_id=startup_id).values("year").annotate(...)

    allocations_of.rows(startup_id="aidantsconnect")  # [{"year": 2025, ...}, ...]

`.rows()` runs a `.values()` queryset, `.objects()` a model queryset (the startup page reads
model instances); `.sql()` gives the SQL and parameters of any queryset.

A stand-in is a value of the parameter's type that the query holds nowhere else (the
compilation refuses one it cannot find); a list parameter takes a list of stand-ins of the
length it will be called with; an array parameter (`= ANY(%s)`, one parameter whatever its
length) takes an `Array`, which the query must hand to the database as it is. A value the SQL
is written differently for (None: `IS NULL`) has no place here, and values go to the database
as given (of the column's type: Django's conversion of a filter's value ran on the stand-in
only).

PostgreSQL too would parse and plan each query again: 0.2 to 0.65 ms of its CPU per query of the
startup page, more than running it. So the SQL is prepared on the server once per connection
(`prepared`) and run by `EXECUTE` with the values; sessions plan it once, generically
(`plan_cache_mode`, settings), as the values only pick rows by key.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable


class Array(list):
    """The stand-in of one array parameter, replaced whole by the list given: found in the
    SQL's parameters as this very object (a RawSQL's parameters are passed on as given)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: dict[int, tuple[str, int | None]]  # parameter position -> (name, index in a list)
    names: tuple[str, ...] | None  # of a .values() queryset's columns
    compiler: object  # converts the rows as Django's own iteration does
    converters: dict
    # Of a model queryset: where its fields are in a row, their names, and the annotations.
    model_columns: slice | None = None
    init_list: tuple[str, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], stand_ins: dict):
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: _Compiled | None = None
        self.__doc__ = build.__doc__

    def compile(self) -> _Compiled:
        if self._compiled is None:
            self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> _Compiled:
        queryset = self.build(**self.stand_ins)
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        wanted = {}
        for name, value in self.stand_ins.items():
            whole = not isinstance(value, list) or isinstance(value, Array)
            for index, item in [(None, value)] if whole else enumerate(value):
                if _key(item) in wanted:
                    raise ValueError(f"{self.build.__qualname__}: stand-in {item!r} given twice")
                wanted[_key(item)] = (name, index)
        slots = {
            position: wanted[_key(param)]
            for position, param in enumerate(params)
            if _key(param) in wanted
        }
        missing = set(wanted.values()) - set(slots.values())
        if missing:
            raise ValueError(
                f"{self.build.__qualname__}: stand-ins not found in the SQL: {sorted(missing)}"
            )
        names = None
        if queryset._iterable_class is ValuesIterable:
            # The names of the columns, as Django's ValuesIterable reads them.
            if query.selected:
                names = tuple(query.selected)
            else:
                names = (*query.extra_select, *query.values_select, *query.annotation_select)
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        model = {}
        if (
            queryset._iterable_class is ModelIterable
            and compiler.klass_info
            and not compiler.klass_info.get("related_klass_infos")
        ):
            # As Django's ModelIterable reads a row (no select_related here).
            selected = compiler.klass_info["select_fields"]
            columns = slice(selected[0], selected[-1] + 1)
            model = {
                "model_columns": columns,
                "init_list": tuple(f[0].target.attname for f in compiler.select[columns]),
                "annotations": tuple(compiler.annotation_col_map.items()),
            }
        return _Compiled(sql, tuple(params), slots, names, compiler, converters, **model)

    def sql(self, **values) -> tuple[str, list]:
        """The SQL compiled once and its parameters, the values given in their places."""
        return prepared(*self.unprepared(**values), self.compile().compiler.using)

    def unprepared(self, **values) -> tuple[str, list]:
        """`sql()` as Django's SQL and parameters, not prepared: for a query that goes inside
        another one."""
        compiled = self.compile()
        for name, stand_in in self.stand_ins.items():
            if type(stand_in) is list and len(values[name]) != len(stand_in):
                raise ValueError(f"{name}: {len(stand_in)} values expected, as compiled")
        params = list(compiled.params)
        for position, (name, index) in compiled.slots.items():
            params[position] = values[name] if index is None else values[name][index]
        return compiled.sql, params

    def rows(self, **values) -> list[dict]:
        """The rows of a .values() queryset, as Django gives them, for these values."""
        compiled = self.compile()
        if compiled.names is None:
            raise TypeError(f"{self.build.__qualname__}: rows() runs a .values() queryset")
        rows = self._fetch(compiled, values)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def objects(self, **values) -> list:
        """The model instances of a model queryset (without select_related) for these values,
        as Django builds them (`Model.from_db`, annotations set), its rows converted as Django
        converts them: what `Model.objects.raw(*self.sql())` gives, without RawQuerySet's
        mapping of columns to fields and converters, made again for each query (half of the
        startup page's query in Python)."""
        compiled = self.compile()
        if compiled.model_columns is None:
            raise TypeError(f"{self.build.__qualname__}: objects() runs a model queryset")
        rows = self._fetch(compiled, values)
        model, db = compiled.compiler.klass_info["model"], compiled.compiler.using
        found = []
        for row in rows:
            instance = model.from_db(db, compiled.init_list, row[compiled.model_columns])
            for name, position in compiled.annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _fetch(self, compiled: _Compiled, values: dict):
        sql, params = self.sql(**values)
        compiler = compiled.compiler
        with connections[compiler.using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiler.apply_converters(rows, compiled.converters)
        return rows


_PLACEHOLDER = re.compile(r"%[s%]")


def prepared(sql: str, params: list, using: str = "default") -> tuple[str, list]:
    """`sql` (Django's placeholders: %s, %% for a percent sign) prepared on the server of the
    connection once, and the `EXECUTE` of it with `params` to run in its place.

    The PREPARE goes straight to the driver, outside Django's cursor: it is not one of the
    page's queries (their count is tested), and happens once per connection and statement.
    A new connection (CONN_MAX_AGE passed, a reconnect) prepares again."""
    connection = connections[using]
    connection.ensure_connection()
    driver = connection.connection
    known = getattr(connection, "_prepared_statements", None)
    if known is None or known[0] is not driver:
        known = connection._prepared_statements = (driver, set())
    name = "q" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    if name not in known[1]:
        numbers = iter(range(1, len(params) + 1))
        text = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)
        with connection.wrap_database_errors:
            driver.execute(f"PREPARE {name} AS {text}")
        known[1].add(name)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    return f"EXECUTE {name}{arguments}", params


def _key(value):
    # Parameters compared by type and value (a stand-in "1" is not the number 1); a list (an
    # array parameter) by identity: only an Array stand-in is found.
    return (type(value), value) if not isinstance(value, list | dict) else (type(value), id(value))


def compiled_query(**stand_ins) -> Callable[[Callable[..., QuerySet]], CompiledQuery]:
    return lambda build: CompiledQuery(build, stand_ins)
