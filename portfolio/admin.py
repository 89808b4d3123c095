"""The admin as staff use it: each app's admin, composed here where every app is known.

A startup's page in the admin shows its indicators too; the registry's admin (startups) cannot
know of impact, which sits above it, so the project adds the inline.
"""

from django.contrib import admin

from impact.admin import IndicatorInline
from startups import admin as registry_admin
from startups.models import Startup

admin.site.unregister(Startup)


@admin.register(Startup)
class StartupAdmin(registry_admin.StartupAdmin):
    inlines = [*registry_admin.StartupAdmin.inlines, IndicatorInline]
