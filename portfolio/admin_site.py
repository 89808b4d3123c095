"""The staff admin's home: a dashboard of what needs attention, each item linking to its object."""

from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from publishing.formats import fr_date

ATTENTION_HORIZON_DAYS = 45


def attention_items(incubator_id: str | None = None) -> list[dict]:
    """Sections of the dashboard, what to do first at the top: committees due soon, then late,
    incomplete dossiers, money running out, overstayed phases, stale North Stars; startups never
    seen in committee here apart. Counts are true (lists show 20 and link to the whole list);
    `incubator_id` narrows every section. A fixed number of queries whatever the size."""
    from budgets.models import figures_by
    from committees.models import CommitteeStatus, Dossier, Programme
    from committees.selectors import committees_due
    from impact.models import Indicator
    from portfolio.admin import COMMITTEE_GROUPS, committee_group
    from startups.models import Startup

    today = timezone.localdate()
    horizon = today + timedelta(days=ATTENTION_HORIZON_DAYS)
    startups_url = reverse("admin:startups_startup_changelist")
    narrowed = f"&incubator__id__exact={incubator_id}" if incubator_id else ""

    def startup_link(startup_id):
        return reverse("admin:startups_startup_change", args=[startup_id])

    groups = {key: [] for key in COMMITTEE_GROUPS}
    for item in committees_due(ATTENTION_HORIZON_DAYS, today):
        if incubator_id and item.startup.incubator_id != incubator_id:
            continue
        groups[committee_group(item)].append(
            {
                "label": f"{item.startup.title} — comité dû le {fr_date(item.due)} ({item.reason})",
                "url": startup_link(item.startup.pk),
                "alert": item.overdue,
            }
        )
    # Soonest first where a date is coming; the longest late first where it has passed.
    dossiers = Dossier.objects.filter(
        committee__date__gte=today,
        committee__status__in=[CommitteeStatus.PLANNED, CommitteeStatus.DOSSIERS_SENT],
    ).select_related("startup", "committee")
    if incubator_id:
        dossiers = dossiers.filter(startup__incubator_id=incubator_id)
    incomplete = [
        {
            "label": f"{dossier.startup.title} — comité du {fr_date(dossier.committee.date)} : "
            f"manque {', '.join(missing)}",
            "url": reverse("admin:committees_dossier_change", args=[dossier.pk]),
            "alert": dossier.committee.pre_read_deadline <= today,
        }
        for dossier in dossiers
        if (missing := dossier.missing_parts())
    ]
    startups = Startup.objects.all()
    if incubator_id:
        startups = startups.filter(incubator_id=incubator_id)
    overstaying_all = startups.overstaying(today)
    overstaying = [
        {
            "label": f"{startup.title} — {startup.current_kind_label.lower()} dépassée de {startup.overstay.days} jours",
            "url": startup_link(startup.pk),
            "alert": False,
        }
        for startup in overstaying_all.only("id", "title").order_by("current_phase_start")[:20]
    ]
    names = dict(startups.values_list("pk", "title"))
    money = [
        {
            "label": f"{names[key[0]]} — budget épuisé vers le {fr_date(figures.runs_out_on)} au rythme actuel",
            "url": startup_link(key[0]),
            "alert": figures.runs_out_on <= today,
        }
        for key, figures in sorted(
            figures_by("startup", on=today).items(), key=lambda kv: kv[1].runs_out_on or horizon
        )
        if key[0] in names and figures.runs_out_on and figures.runs_out_on <= horizon
    ]
    stale_all = Indicator.objects.north_stars().stale(today)
    if incubator_id:
        stale_all = stale_all.filter(startup__incubator_id=incubator_id)
    stale = [
        {
            "label": f"{indicator.startup.title} — North Star « {indicator.name} » sans valeur récente",
            "url": startup_link(indicator.startup_id),
            "alert": False,
        }
        for indicator in stale_all.select_related("startup")[:20]
    ]
    managed_since = Programme.managed_since_date()

    def group_section(key, title, **extra):
        return {
            "title": title,
            "items": groups[key],
            "count": len(groups[key]),
            "list_url": f"{startups_url}?comite={key}{narrowed}",
            **extra,
        }

    return [
        group_section("a-venir", "Comités dus dans les 45 jours"),
        group_section("en-retard", "Comités en retard"),
        {
            "title": "Dossiers incomplets avant leur comité",
            "items": incomplete,
            "count": len(incomplete),
        },
        {"title": "Argent épuisé dans moins de 45 jours", "items": money, "count": len(money)},
        {
            "title": "Phases plus longues que prévu",
            "items": overstaying,
            "count": overstaying_all.count(),
            "list_url": f"{startups_url}?depassement=oui{narrowed}",
        },
        {"title": "North Stars sans valeur récente", "items": stale, "count": stale_all.count()},
        group_section(
            "premier-ici",
            "Jamais passées en comité ici",
            note=(
                f"Comptées depuis la reprise du suivi ici, le {fr_date(managed_since)}."
                if managed_since
                else "Leur « six mois » part du passé importé : fixez la date de reprise du "
                "suivi ici pour ne pas les compter en retard."
            ),
            settings_url=reverse("admin:committees_programme_changelist"),
        ),
    ]


class PortfolioAdminSite(admin.AdminSite):
    site_header = "Portefeuille des startups d'État — administration"
    site_title = "Portefeuille — administration"
    index_title = "Tableau de bord"

    def index(self, request, extra_context=None):
        from startups.models import Incubator

        incubators = list(Incubator.objects.order_by("title").values_list("pk", "title"))
        chosen = request.GET.get("incubateur", "")
        chosen = chosen if chosen in dict(incubators) else ""
        extra_context = {
            **(extra_context or {}),
            "attention": attention_items(chosen or None),
            "incubators": incubators,
            "chosen_incubator": chosen,
        }
        return super().index(request, extra_context)
