"""Form fields shared by the admin forms: a list of rows, each row a few named cells.

A JSON list of objects edited as a table of inputs (one row per item, a few empty rows to add
more, a row left empty is dropped), so that staff never type JSON and the form gives back the
exact shape the model stores. It works without JavaScript: to add more rows than the empty ones
offered, save and continue.
"""

from dataclasses import dataclass

from django import forms

MAX_ROWS = 100  # a posted count above this is a forged form, not a dossier


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    choices: tuple[tuple[str, str], ...] | None = None  # a select instead of a text input
    size: int = 30


class RowsWidget(forms.Widget):
    template_name = "publishing/widgets/rows.html"

    def __init__(self, columns: list[Column], extra: int = 3, attrs=None):
        super().__init__(attrs)
        self.columns = columns
        self.extra = extra

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [row for row in (value or []) if isinstance(row, dict)]
        rows += [{} for _ in range(self.extra)]
        context["widget"].update(
            count=len(rows),
            columns=self.columns,
            rows=[
                [
                    {
                        "name": f"{name}-{index}-{column.key}",
                        "id": f"id_{name}-{index}-{column.key}",
                        "label": f"{column.label}, ligne {index + 1}",
                        "value": str(row.get(column.key) or ""),
                        "column": column,
                    }
                    for column in self.columns
                ]
                for index, row in enumerate(rows)
            ],
        )
        return context

    def value_from_datadict(self, data, files, name):
        try:
            count = min(int(data.get(f"{name}-count", 0)), MAX_ROWS)
        except (TypeError, ValueError):
            count = 0
        return [
            {
                column.key: (data.get(f"{name}-{index}-{column.key}") or "").strip()
                for column in self.columns
            }
            for index in range(count)
        ]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-count" not in data

    def id_for_label(self, id_):
        return f"{id_}-0-{self.columns[0].key}" if id_ else None


class RowsField(forms.Field):
    """A list of dicts with the widget's keys; rows whose text cells are all empty are dropped
    (a select always holds a value, so it does not make a row)."""

    def __init__(self, *, columns: list[Column], extra: int = 3, **kwargs):
        self.columns = columns
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", RowsWidget(columns, extra))
        super().__init__(**kwargs)

    def to_python(self, value):
        rows = [
            {column.key: str(row.get(column.key) or "").strip() for column in self.columns}
            for row in (value if isinstance(value, list) else [])
            if isinstance(row, dict)
        ]
        typed = [column.key for column in self.columns if not column.choices]
        return [row for row in rows if any(row[key] for key in typed)]

    def prepare_value(self, value):
        return value if isinstance(value, list) else []
