"""The staff admin's home: a dashboard of what needs attention, each item linking to its object."""

from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from publishing.formats import fr_date

ATTENTION_HORIZON_DAYS = 45


def attention_items() -> list[dict]:
    """Sections of the dashboard: committees due, incomplete dossiers, overstayed phases, money
    running out, stale North Stars. A fixed number of queries whatever the portfolio's size."""
    from budgets.models import figures_by
    from committees.models import CommitteeStatus, Dossier
    from committees.selectors import committees_due
    from impact.models import Indicator
    from startups.models import Startup

    today = timezone.localdate()
    horizon = today + timedelta(days=ATTENTION_HORIZON_DAYS)

    def startup_link(startup):
        return reverse("admin:startups_startup_change", args=[startup.pk])

    due = [
        {
            "label": f"{item.startup.title} — comité dû le {fr_date(item.due)} ({item.reason})",
            "url": startup_link(item.startup),
            "alert": item.overdue,
        }
        for item in committees_due(ATTENTION_HORIZON_DAYS, today)
    ]
    incomplete = [
        {
            "label": f"{dossier.startup.title} — comité du {fr_date(dossier.committee.date)} : "
            f"manque {', '.join(missing)}",
            "url": reverse("admin:committees_dossier_change", args=[dossier.pk]),
            "alert": dossier.committee.pre_read_deadline <= today,
        }
        for dossier in Dossier.objects.filter(
            committee__date__gte=today,
            committee__status__in=[CommitteeStatus.PLANNED, CommitteeStatus.DOSSIERS_SENT],
        ).select_related("startup", "committee")
        if (missing := dossier.missing_parts())
    ]
    overstaying = [
        {
            "label": f"{startup.title} — {startup.current_kind_label.lower()} dépassée de {startup.overstay.days} jours",
            "url": startup_link(startup),
            "alert": False,
        }
        for startup in Startup.objects.overstaying(today)
        .only("id", "title")
        .order_by("current_phase_start")[:50]
    ]
    names = dict(Startup.objects.values_list("pk", "title"))
    money = [
        {
            "label": f"{names.get(key[0], key[0])} — budget épuisé vers le {fr_date(figures.runs_out_on)} au rythme actuel",
            "url": reverse("admin:startups_startup_change", args=[key[0]]),
            "alert": figures.runs_out_on <= today,
        }
        for key, figures in sorted(
            figures_by("startup", on=today).items(), key=lambda kv: kv[1].runs_out_on or horizon
        )
        if key[0] and figures.runs_out_on and figures.runs_out_on <= horizon
    ]
    stale = [
        {
            "label": f"{indicator.startup.title} — North Star « {indicator.name} » sans valeur récente",
            "url": reverse("admin:startups_startup_change", args=[indicator.startup_id]),
            "alert": False,
        }
        for indicator in Indicator.objects.north_stars().stale(today).select_related("startup")[:50]
    ]
    return [
        {"title": "Comités dus ou en retard (45 jours)", "items": due},
        {"title": "Dossiers incomplets avant leur comité", "items": incomplete},
        {"title": "Argent épuisé dans moins de 45 jours", "items": money},
        {"title": "Phases plus longues que prévu", "items": overstaying},
        {"title": "North Stars sans valeur récente", "items": stale},
    ]


class PortfolioAdminSite(admin.AdminSite):
    site_header = "Portefeuille des startups d'État — administration"
    site_title = "Portefeuille — administration"
    index_title = "Tableau de bord"

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "attention": attention_items()}
        return super().index(request, extra_context)
