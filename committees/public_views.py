"""Public pages of the committees: the calendar, one committee, the iCalendar feed (the
decisions as open data are the API's: api/decisions.py). Nothing private here: no review, snapshot, attachment,
video link or motivation text. Each page costs a fixed number of queries at any size.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from committees.models import Committee, Dossier
from committees.selectors import public_decisions
from publishing.caching import public_page
from publishing.formats import fr_date
from publishing.pages import breadcrumb

PARIS = ZoneInfo("Europe/Paris")
DECISIONS_PER_PAGE = 50
# ~15 min of presentation, 15 of questions, 20 of deliberation per startup (DOMAIN.md).
MINUTES_PER_DOSSIER = 50


def agenda_prefetch() -> Prefetch:
    return Prefetch(
        "dossiers",
        queryset=Dossier.objects.select_related("startup")
        .only("pk", "committee_id", "order", "startup__id", "startup__title")
        .order_by("order", "startup__title"),
    )


def public_committees():
    return Committee.objects.only(
        "pk", "date", "starts_at", "place", "chair", "status", "pre_read_deadline"
    ).prefetch_related(agenda_prefetch(), "incubators")


@require_safe
@public_page(depends_on=("startups", "committees"), params=("page",))
def calendar(request: HttpRequest) -> HttpResponse:
    upcoming = list(public_committees().upcoming())
    paginator = Paginator(public_decisions(), DECISIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "committees/public_calendar.html",
        {
            "title": "Comités d'investissement",
            "upcoming": upcoming,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "breadcrumb_data": breadcrumb(current="Comités d'investissement"),
        },
    )


@require_safe
@public_page(depends_on=("startups", "committees"))
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(public_committees(), pk=pk)
    decisions = {
        decision.dossier_id: decision
        for decision in public_decisions().filter(dossier__committee=committee)
    }
    agenda = [
        {"dossier": dossier, "decision": decisions.get(dossier.pk)}
        for dossier in committee.dossiers.all()
    ]
    return render(
        request,
        "committees/public_committee.html",
        {
            "title": f"Comité du {fr_date(committee.date)}",
            "committee": committee,
            "agenda": agenda,
            "breadcrumb_data": breadcrumb(
                (reverse("committees:public_calendar"), "Comités d'investissement"),
                current=f"Comité du {fr_date(committee.date)}",
            ),
        },
    )


# --- iCalendar (RFC 5545) -------------------------------------------------------------------
def committee_event(committee: Committee, request: HttpRequest, stamp: datetime) -> Event:
    titles = [dossier.startup.title for dossier in committee.dossiers.all()]
    event = Event()
    event.add("uid", f"comite-{committee.pk}@{request.get_host().split(':')[0]}")
    event.add("dtstamp", stamp)
    if committee.starts_at:
        start = datetime.combine(committee.date, committee.starts_at, tzinfo=PARIS)
        event.add("dtstart", start)
        # The length is real minutes: added in UTC, not on the wall clock, which on the nights
        # the clocks change made the event an hour too long, or end at a time that does not
        # exist (02:20 on the last Sunday of March).
        length = timedelta(minutes=MINUTES_PER_DOSSIER * max(1, len(titles)))
        end = (start.astimezone(UTC) + length).astimezone(PARIS)
        # A local time the clocks go through twice (02:00–03:00 on the last Sunday of October)
        # reads as its first occurrence (RFC 5545, 3.3.5): the second one is written in UTC.
        event.add("dtend", end.astimezone(UTC) if end.fold else end)
    else:
        event.add("dtstart", committee.date)
        event.add("dtend", committee.date + timedelta(days=1))
    event.add("summary", "Comité d'investissement" + (f" : {', '.join(titles)}" if titles else ""))
    if committee.place:
        event.add("location", committee.place)
    event.add("url", request.build_absolute_uri(committee.get_absolute_url()))
    agenda = "\n".join(f"- {title}" for title in titles) or "Ordre du jour à venir."
    event.add("description", f"Startups à l'ordre du jour :\n{agenda}")
    event.add("status", "CONFIRMED")
    return event


@require_safe
@public_page(depends_on=("startups", "committees"))
def calendar_ics(request: HttpRequest) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//beta.gouv.fr//Portefeuille des startups d'État//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Comités d'investissement des startups d'État")
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now().replace(microsecond=0)
    since = timezone.localdate() - timedelta(days=366)
    for committee in public_committees().filter(date__gte=since).order_by("date"):
        calendar.add_component(committee_event(committee, request, stamp))
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="comites.ics"'
    return response
