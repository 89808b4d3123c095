"""A row's `CHECK` validated in Python when it can be, with the database's answer.

Django validates a `CheckConstraint` by asking the database (`SELECT 1 WHERE <condition>`,
inside a savepoint when a transaction is open: three round trips per constraint). A budgets
form checks two or three of them, and the service validates the row again before saving: half
of the queries of a payment saved from the admin. The conditions here are comparisons of the
row's own columns with a constant or another column: Python gives the same answer, with SQL's
three-valued logic (a comparison with NULL is UNKNOWN, and a CHECK refuses only FALSE).

Anything else (a lookup through a join, a function, a comparison of texts, whose order is the
collation's) is left to the database, as Django does. The database's `CHECK` stays the last
line either way; `tests/test_budgets_save_once.py` compares both answers on every constraint.
"""

import operator
from datetime import date
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP

_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Values Python orders as PostgreSQL does (numbers with numbers, days with days).
_ORDERED = ((int, Decimal), (date,))


class NotInPython(Exception):
    """The condition uses something Python cannot decide like the database: ask the database."""


def _comparable(left, right, kind: str) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return kind == "exact" and type(left) is type(right)
    for family in _ORDERED:
        if isinstance(left, family) and isinstance(right, family):
            return True
    # Texts: equality only (`workstream = ''`), their order is the collation's.
    return kind == "exact" and isinstance(left, str) and isinstance(right, str)


def _column(model, instance, name: str):
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist as missing:
        raise NotInPython(name) from missing
    if not getattr(field, "concrete", False) or getattr(field, "generated", False):
        raise NotInPython(name)
    return getattr(instance, field.attname)


def evaluate(condition, model, instance) -> bool | None:
    """True, False, or None (UNKNOWN) for `condition` on `instance`, as SQL would say it."""
    if isinstance(condition, Q):
        results = {evaluate(child, model, instance) for child in condition.children}
        # AND: FALSE wins, then UNKNOWN; OR: TRUE wins, then UNKNOWN.
        if condition.connector == Q.AND:
            wins = False
        elif condition.connector == Q.OR:
            wins = True
        else:
            raise NotInPython(condition.connector)
        result = wins if wins in results else (None if None in results else not wins)
        if condition.negated and result is not None:
            result = not result
        return result
    if not isinstance(condition, tuple):
        raise NotInPython(condition)
    lookup, right = condition
    name, _, kind = lookup.partition(LOOKUP_SEP)
    kind = kind or "exact"
    left = _column(model, instance, name)
    if isinstance(right, F):
        right = _column(model, instance, right.name)
    elif hasattr(right, "resolve_expression"):
        raise NotInPython(right)
    if kind == "isnull" and isinstance(right, bool):
        return (left is None) is right
    if kind == "exact" and right is None:  # `Q(field=None)` is `IS NULL` in Django
        return left is None
    if kind not in _COMPARISONS:
        raise NotInPython(kind)
    if left is None or right is None:
        return None
    if not _comparable(left, right, kind):
        raise NotInPython(f"{left!r} {kind} {right!r}")
    return _COMPARISONS[kind](left, right)


class RowCheck(models.CheckConstraint):
    """A `CheckConstraint` Django validates without a query when Python can decide it.

    Deconstructed as a plain `CheckConstraint`: the migrations do not see a difference, there
    is none in the database.
    """

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if exclude and self._expression_refs_exclude(model, self.condition, exclude):
            return
        try:
            passes = evaluate(self.condition, model, instance) is not False
        except NotInPython:
            return super().validate(model, instance, exclude=exclude, using=using)
        if not passes:
            raise ValidationError(
                self.get_violation_error_message(), code=self.violation_error_code
            )

    def deconstruct(self):
        _, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs
