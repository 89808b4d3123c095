"""Public pages of the registry: the portfolio, a startup, incubators, organisations."""

from collections import Counter
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Func, IntegerField, OuterRef, Q, TextField, Value
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from publishing.caching import public_page, today
from publishing.compiled import Array, CompiledQuery, compiled_query
from publishing.pages import breadcrumb, render_page
from publishing.rows import as_prefetched, day
from startups.cards import startup_cards
from startups.forms import StartupFilterForm, filtered
from startups.models import (
    UNKNOWN_DATE,
    Event,
    ImportCorrection,
    Incubator,
    Organisation,
    Phase,
    Startup,
    search_conditions,
)
from startups.phases import ACTIVE_KINDS, LIFECYCLE_ORDER, PhaseKind, StartupStatus, status_of

PAGE_SIZE = 48
# Lifecycle order, then "no phase yet": how the portfolio is grouped. One function of the
# current phase, so that PostgreSQL runs its subquery once per startup; a CASE WHEN per phase
# ran it up to nine times per startup, for every startup, to sort a page of 48.
PHASE_RANK = Coalesce(
    Func(
        Value([str(kind) for kind in LIFECYCLE_ORDER], output_field=ArrayField(TextField())),
        Cast("current_phase_kind", TextField()),
        function="array_position",
        output_field=IntegerField(),
    ),
    Value(len(LIFECYCLE_ORDER) + 1),
)


def phase_groups(counts: dict) -> list[dict]:
    """[{kind, label, count}] in lifecycle order, from {kind or None: count}."""
    groups = [
        {"kind": kind.value, "label": kind.label, "count": counts[kind]}
        for kind in LIFECYCLE_ORDER
        if counts.get(kind)
    ]
    if counts.get(None):
        groups.append({"kind": "", "label": "Aucune phase commencée", "count": counts[None]})
    return groups


class InPortfolioOrder:
    """(identifier, current phase) of `startups` in the portfolio's order (lifecycle, then
    title), read as a page needs them: all (`rows()`) or a slice (what Paginator asks).

    The current phase is computed once per startup, in a subquery the order reads (`OFFSET 0`
    keeps PostgreSQL from merging it into the outer query, which would compute it twice again):
    ordered by the ORM, PostgreSQL ran the phase's subquery twice per startup (the phase shown,
    then its rank), for every startup, even to show 48 of them. At 6 620 startups a page of
    the list took 57 ms; 22 ms like this."""

    def __init__(self, inner: tuple[str, tuple | list] | None):
        """`inner`: the SQL and parameters of `listed(startups)`; None: no startup."""
        if inner is None:
            self.sql = None
            return
        inner, params = inner
        rank = f"coalesce(array_position(%s::text[], kind::text), {len(LIFECYCLE_ORDER) + 1})"
        self.sql = (
            f"SELECT pk, kind FROM ({inner} OFFSET 0) AS listed (pk, kind, title) "  # noqa: S608
            f"ORDER BY {rank}, title, pk"
        )
        self.params = (*params, [str(kind) for kind in LIFECYCLE_ORDER])

    @classmethod
    def of(cls, startups) -> "InPortfolioOrder":
        try:
            return cls(listed(startups).query.sql_with_params())
        except EmptyResultSet:  # `pk IN ()`: a filter no startup can meet
            return cls(None)

    def rows(self, limit: int | None = None, offset: int = 0) -> list[tuple[str, str | None]]:
        if self.sql is None:
            return []
        sql, params = self.sql, self.params
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", (*params, limit, offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def __getitem__(self, page: slice) -> list[tuple[str, str | None]]:
        return self.rows(page.stop - page.start, page.start)


def listed(startups):
    """What InPortfolioOrder reads of `startups`, as SQL: (identifier, current phase, title)."""
    return startups.order_by().values_list("pk", "current_phase_kind", "title")


@lru_cache(maxsize=64)
def _search_query(day: date, others: tuple, read_in_text: tuple[bool, ...]) -> CompiledQuery:
    """The startups a search keeps, compiled once per process for the day, the other filters
    in force and how each typed word is looked for (`search_conditions`): the typed words'
    conditions are its stand-ins. Django took longer to compile the query, phase subqueries
    and all (~0.5 ms), than PostgreSQL to run it. The other filters' values are in the key: a
    page of filters has a few, and the least recently used of these entries goes first."""
    stand_ins = {
        f"mot{i}": f"\x00mot {i}" if in_text else Array([f"\x00mot {i}"])
        for i, in_text in enumerate(read_in_text)
    }

    def build(**words):
        conditions = [
            (words[f"mot{i}"], None if in_text else words[f"mot{i}"])
            for i, in_text in enumerate(read_in_text)
        ]
        return listed(filtered(_listed(day).all(), dict(others), conditions))

    return CompiledQuery(build, stand_ins)


def searched_page(form, number) -> tuple[dict, Paginator, object]:
    """Counts by phase, paginator and page of a search (`form` valid, with a typed text): one
    query lists the matches in order (identifier and phase only), and the counts come from
    that list."""
    conditions = search_conditions(form.cleaned_data["q"])
    query = _search_query(
        today(), form.others_than_search(), tuple(found is None for _, found in conditions)
    )
    words = {
        f"mot{i}": word if found is None else found for i, (word, found) in enumerate(conditions)
    }
    # A sponsor filter joins: one row per startup kept.
    matches = list(dict.fromkeys(InPortfolioOrder(query.unprepared(**words)).rows()))
    paginator = Paginator(matches, PAGE_SIZE)
    return dict(Counter(kind for _, kind in matches)), paginator, paginator.get_page(number)


def count_by_phase(startups) -> dict:
    return dict(
        startups.order_by().values_list("current_phase_kind").annotate(n=Count("pk", distinct=True))
    )


@lru_cache(maxsize=2)  # today's, and yesterday's for the requests at midnight
def _listed(day: date):
    """The startups with their current phase on `day`: the query built once a day per process
    (its subqueries took ~1 ms to build, more than PostgreSQL to run them on a page of 48)."""
    return Startup.objects.with_current_phase(day)


def listed_startups():
    return _listed(today()).all()


def with_cards(rows: list[tuple[str, str | None]]) -> list[dict]:
    """[{kind, label, card}] of a page's (identifier, current phase) rows, cards kept once
    built (startups.cards)."""
    cards = startup_cards([pk for pk, _ in rows])
    return [
        {
            "kind": kind,
            "label": PhaseKind(kind).label if kind else "Aucune phase commencée",
            "card": cards[pk],
        }
        for pk, kind in rows
        if pk in cards
    ]


@require_safe
@public_page(depends_on=("startups",), params=(*StartupFilterForm.base_fields, "page"))
def startup_list(request: HttpRequest) -> HttpResponse:
    form = StartupFilterForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    if valid and form.cleaned_data.get("q"):
        counts, paginator, page = searched_page(form, request.GET.get("page"))
    else:
        startups = form.filter(listed_startups()) if valid else listed_startups()
        counts = count_by_phase(startups)
        paginator = Paginator(InPortfolioOrder.of(startups), PAGE_SIZE)
        paginator.count = sum(counts.values())  # known from the counts: saves a COUNT query
        page = paginator.get_page(request.GET.get("page"))
    total = sum(counts.values())
    query = request.GET.copy()
    query.pop("page", None)
    # Jinja2 (jinja_templates/startups/): each search term and filter combination is a page built fresh.
    return render_page(
        request,
        "startups/startup_list.html",
        {
            "title": "Les startups d'État",
            "form": form,
            "groups": phase_groups(counts),
            "total": total,
            "page": page,
            "items": with_cards(list(page.object_list)),
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
            "filters": form.active_filters(),
            "breadcrumb_data": breadcrumb(current="Startups"),
        },
    )


@require_safe
# Money and impact come through their apps' template tags (budgets_tags, impact_tags). The page
# shows only this startup's money: a payment recorded for another one leaves it as it was,
# which the fingerprint the budgets app registers tells without building the page again.
@public_page(
    depends_on=("startups", "impact", "committees"), revalidate={"budgets": "budgets:startup"}
)
def startup_detail(request: HttpRequest, startup_id: str) -> HttpResponse:
    startup = startup_for_page(startup_id)
    phases = list(startup.phases.all())
    current = startup.current_phase
    # As `with_current_phase` annotates them: the page reads its kind and start some ten
    # times (badge, overstay, transparency), each of which computed the phase again.
    startup.current_phase_kind = current.kind if current else None
    startup.current_phase_start = current.start if current else None
    # Jinja2 (jinja_templates/startups/): built after every change that shows on it.
    return render_page(
        request,
        "startups/startup_detail.html",
        {
            "title": startup.title,
            "startup": startup,
            "phases": phases,
            "current": current,
            "upcoming_phases": [phase for phase in phases if phase.is_upcoming],
            "events": startup.page_events,
            "in_investigation": startup.current_kind == PhaseKind.INVESTIGATION,
            "active_kinds": ACTIVE_KINDS,
            "unknown_date": UNKNOWN_DATE,
            "transparency": transparency(startup),
            "breadcrumb_data": breadcrumb(("/startups/", "Startups"), current=startup.title),
        },
    )


def _rows(model, related_name: str, order: tuple, **fields) -> ArraySubquery:
    """The startup's related rows as one array of JSON objects, in `order` (a subquery)."""
    return ArraySubquery(
        model.objects.filter(**{related_name: OuterRef("pk")})
        .order_by(*order)
        .values(row=JSONObject(**fields))
    )


@compiled_query(startup_id="\x00identifiant demandé")
def _page_query(startup_id: str):
    """The query of `startup_for_page`, compiled once per process: Django took ~1.9 ms to
    compile its five subqueries for each page, more than PostgreSQL took to run them."""
    return _page_queryset().filter(pk=startup_id)


def _page_queryset():
    return Startup.objects.defer(
        "source_front_matter",
        "source_body",
        "search_text",
        "search_words",
    ).annotate(
        incubator_row=JSONObject(id="incubator__id", title="incubator__title"),
        phase_rows=_rows(
            Phase,
            "startup",
            ("start",),
            id="id",
            kind="kind",
            start="start",
            end="end",
            comment="comment",
        ),
        event_rows=_rows(
            Event,
            "startup",
            ("date", "pk"),
            id="id",
            kind="kind",
            date="date",
            comment="comment",
            promotion="promotion",
            amount=Cast("amount", TextField()),  # a JSON number would come back a float
        ),
        sponsor_rows=_rows(
            Organisation,
            "sponsored_startups",
            ("name", "pk"),
            id="id",
            name="name",
            acronym="acronym",
        ),
        co_incubator_rows=_rows(
            Incubator, "co_incubated_startups", ("title", "pk"), id="id", title="title"
        ),
        correction_rows=_rows(
            ImportCorrection, "startup", ("pk",), id="id", kind="kind", message="message"
        ),
    )


def startup_for_page(startup_id: str) -> Startup:
    """The startup of its page, with its incubator, phases, events, sponsors, co-incubators and
    import corrections: one query (the incubator and each related list JSON rows, the SQL
    compiled once: `_page_query`), where a prefetch per list cost six. The page never shows
    what the import read (JSON of the file, its body). Phases, sponsors, co-incubators and
    corrections are then read as if prefetched (`startup.phases.all()`, no query); events,
    sorted by date, are `startup.page_events`."""
    found = _page_query.objects(startup_id=startup_id)
    if not found:
        raise Http404("Aucune startup ne porte cet identifiant.")
    startup = found[0]
    startup.incubator = Incubator(**startup.incubator_row)
    phases = [
        Phase(
            id=row["id"],
            startup_id=startup.pk,
            kind=row["kind"],
            start=day(row["start"]),
            end=day(row["end"]),
            comment=row["comment"],
        )
        for row in startup.phase_rows
    ]
    as_prefetched(startup, "phases", phases)
    as_prefetched(startup, "sponsors", [Organisation(**row) for row in startup.sponsor_rows])
    as_prefetched(startup, "co_incubators", [Incubator(**row) for row in startup.co_incubator_rows])
    as_prefetched(
        startup,
        "import_corrections",
        [ImportCorrection(startup_id=startup.pk, **row) for row in startup.correction_rows],
    )
    startup.page_events = [
        Event(
            id=row["id"],
            startup_id=startup.pk,
            kind=row["kind"],
            date=day(row["date"]),
            comment=row["comment"],
            promotion=row["promotion"],
            amount=Decimal(row["amount"]) if row["amount"] is not None else None,
        )
        for row in startup.event_rows
    ]
    return startup


def transparency(startup: Startup) -> list[dict]:
    """The pages a team publishes elsewhere, as beta.gouv.fr lists them (the measured points
    are in impact.transparency)."""
    return [
        {"label": "Statistiques d'usage", "url": startup.stats_url, "ok": bool(startup.stats_url)},
        {"label": "Page d'impact", "url": startup.impact_url, "ok": bool(startup.impact_url)},
        {"label": "Page de budget", "url": startup.budget_url, "ok": bool(startup.budget_url)},
        {
            "label": "DashLord (bonnes pratiques)",
            "url": startup.dashlord_url,
            "ok": bool(startup.dashlord_url),
        },
    ]


def startups_by_phase(startups) -> list[dict]:
    """[{label, kind, startups}] in lifecycle order, for the pages of an incubator or a sponsor."""
    groups = {}
    for startup in startups.order_by(PHASE_RANK, "title"):
        kind = startup.current_kind
        label = PhaseKind(kind).label if kind else "Aucune phase commencée"
        groups.setdefault(kind, {"kind": kind, "label": label, "startups": []})
        groups[kind]["startups"].append(startup)
    return list(groups.values())


@require_safe
@public_page(depends_on=("startups",))
def incubator_list(request: HttpRequest) -> HttpResponse:
    incubators = (
        Incubator.objects.select_related("owner")
        .defer("source_front_matter", "description", "owner__source_front_matter")
        .annotate(startup_total=Count("startups"))
        .order_by("title")
    )
    active = dict(
        Startup.objects.active().order_by().values_list("incubator").annotate(n=Count("pk"))
    )
    rows = [
        {
            "incubator": incubator,
            "total": incubator.startup_total,
            "active": active.get(incubator.pk, 0),
        }
        for incubator in incubators
    ]
    return render(
        request,
        "startups/incubator_list.html",
        {
            "title": "Incubateurs",
            "rows": rows,
            "breadcrumb_data": breadcrumb(current="Incubateurs"),
        },
    )


@require_safe
@public_page(depends_on=("startups",))
def incubator_detail(request: HttpRequest, incubator_id: str) -> HttpResponse:
    incubator = get_object_or_404(Incubator.objects.select_related("owner"), pk=incubator_id)
    startups = (
        Startup.objects.with_current_phase()
        .without_texts()
        .filter(Q(incubator=incubator) | Q(co_incubators=incubator))
        .distinct()
    )
    groups = startups_by_phase(startups)
    return render(
        request,
        "startups/incubator_detail.html",
        {
            "title": incubator.title,
            "incubator": incubator,
            "groups": groups,
            "total": sum(len(g["startups"]) for g in groups),
            "breadcrumb_data": breadcrumb(
                ("/incubateurs/", "Incubateurs"), current=incubator.title
            ),
        },
    )


@require_safe
@public_page(depends_on=("startups",))
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = (
        Organisation.objects.defer("source_front_matter")
        .annotate(startup_total=Count("sponsored_startups"))
        .filter(Q(startup_total__gt=0) | Q(is_placeholder=False))
        .order_by("name")
    )
    active = dict(
        Startup.sponsors.through.objects.filter(startup__in=Startup.objects.active().values("pk"))
        .values_list("organisation")
        .annotate(n=Count("pk"))
    )
    rows = [
        {"organisation": o, "total": o.startup_total, "active": active.get(o.pk, 0)}
        for o in organisations
    ]
    return render(
        request,
        "startups/organisation_list.html",
        {
            "title": "Organisations sponsors",
            "rows": rows,
            "breadcrumb_data": breadcrumb(current="Organisations"),
        },
    )


@require_safe
@public_page(depends_on=("startups",))
def organisation_detail(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    groups = startups_by_phase(
        Startup.objects.with_current_phase()
        .without_texts()
        .filter(sponsors=organisation)
        .select_related("incubator")
    )
    return render(
        request,
        "startups/organisation_detail.html",
        {
            "title": organisation.name,
            "organisation": organisation,
            "groups": groups,
            "total": sum(len(g["startups"]) for g in groups),
            "breadcrumb_data": breadcrumb(
                ("/organisations/", "Organisations"), current=organisation.name
            ),
        },
    )


def home_figures() -> dict:
    """Key figures of the programme for the home page: one query."""
    counts = count_by_phase(Startup.objects.with_current_phase())
    by_status = {status: 0 for status in StartupStatus}
    for kind, number in counts.items():
        by_status[status_of(kind)] += number
    return {
        "total": sum(counts.values()),
        "active": by_status[StartupStatus.ACTIVE],
        "handed_over": by_status[StartupStatus.HANDED_OVER],
        "stopped": by_status[StartupStatus.STOPPED],
        "active_groups": [g for g in phase_groups(counts) if g["kind"] in ACTIVE_KINDS],
    }
