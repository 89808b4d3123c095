"""The staff admin's home: a dashboard of what needs attention, each item linking to its object;
and the parameters of every admin view checked before the view runs (`checked_parameters`)."""

from datetime import timedelta
from functools import wraps

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.http import Http404
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


def _valid(field, value: str) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


def check_parameters(model_admin, view_name: str, request, kwargs: dict) -> None:
    """Refuse what a view of `model_admin` would pass to the database unchecked: 404 for an
    object id that is no id of the model, 400 for a junk query parameter.

    Django's own change and delete views check the id; simple-history's history views do not
    (`/admin/budgets/convention/abc/history/` was a ValueError, a 500). An add page prefilled
    by a link (`?convention=<pk>`) renders an autocomplete widget that looks the value up (a
    500 for `?convention=abc`). A date hierarchy year of 30 digits overflowed in Django's
    changelist (`?paid_on__year=9…9`, an OverflowError).
    """
    opts = model_admin.model._meta
    if "object_id" in kwargs and not _valid(opts.pk, unquote(kwargs["object_id"])):
        raise Http404(f"Aucun objet « {opts.verbose_name} » avec cet identifiant.")
    history = getattr(model_admin.model, "history", None)
    if (
        "version_id" in kwargs
        and history is not None
        and not _valid(history.model._meta.pk, kwargs["version_id"])
    ):
        raise Http404("Aucune version avec cet identifiant.")
    if view_name == "add_view" and request.method in ("GET", "HEAD"):
        for name, value in request.GET.items():
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation and field.related_model is not None:
                target = field.related_model._meta.pk
                if not all(_valid(target, part) for part in value.split(",")):
                    raise BadRequest(f"« {name} » n'est l'identifiant d'aucun objet.")
    if view_name == "changelist_view" and model_admin.date_hierarchy:
        for part in ("year", "month", "day"):
            value = request.GET.get(f"{model_admin.date_hierarchy}__{part}", "")
            if value and not (value.isdigit() and len(value) <= 4):
                raise BadRequest(f"« {value[:20]} » n'est pas une date du calendrier.")


def checked_parameters(view):
    """`view` (a model admin's, a bound method) with its parameters checked first. A lookup
    junk in a view that builds a change list outside the list page (django-import-export's
    export) is a 400, as the list page itself answers it (`?e=1`) instead of a 500."""
    model_admin = getattr(view, "__self__", None)
    if not isinstance(model_admin, admin.ModelAdmin):
        return view

    @wraps(view)
    def checked(request, *args, **kwargs):
        check_parameters(model_admin, view.__name__, request, kwargs)
        try:
            return view(request, *args, **kwargs)
        except IncorrectLookupParameters as error:
            raise BadRequest("Un filtre de la liste est inconnu ou invalide.") from error

    return checked


class PortfolioAdminSite(admin.AdminSite):
    site_header = "Portefeuille des startups d'État — administration"
    site_title = "Portefeuille — administration"
    index_title = "Tableau de bord"

    def admin_view(self, view, cacheable=False):
        return super().admin_view(checked_parameters(view), cacheable)

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
