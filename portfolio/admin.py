"""The admin as staff use it: each app's admin, composed here where every app is known.

A startup's page in the admin shows its indicators too; the registry's admin (startups) cannot
know of impact, which sits above it, so the project adds the inline.
"""

from django.contrib import admin
from django.utils import timezone

from committees.selectors import committees_due
from impact.admin import IndicatorInline
from startups import admin as registry_admin
from startups.models import Startup

admin.site.unregister(Startup)


COMMITTEE_GROUPS = {
    "a-venir": "Comité dû dans les 45 jours",
    "en-retard": "Comité en retard",
    "premier-ici": "Jamais passée en comité ici",
}


def committee_group(item) -> str:
    """The dashboard's group of a due committee: what staff do about it differs."""
    if item.first_here:
        return "premier-ici"
    return "en-retard" if item.overdue else "a-venir"


class CommitteeDueFilter(admin.SimpleListFilter):
    """The startup list behind each committee group of the dashboard (the same rule)."""

    title = "comité d'investissement"
    parameter_name = "comite"

    def lookups(self, request, model_admin):
        return list(COMMITTEE_GROUPS.items())

    def queryset(self, request, queryset):
        if self.value() not in COMMITTEE_GROUPS:
            return queryset
        ids = [
            item.startup.pk
            for item in committees_due(on=timezone.localdate())
            if committee_group(item) == self.value()
        ]
        return queryset.filter(pk__in=ids)


@admin.register(Startup)
class StartupAdmin(registry_admin.StartupAdmin):
    inlines = [*registry_admin.StartupAdmin.inlines, IndicatorInline]
    list_filter = [CommitteeDueFilter, *registry_admin.StartupAdmin.list_filter]
