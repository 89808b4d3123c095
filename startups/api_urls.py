"""The registry's open data API, included under `api/v2/` (the OpenAPI document and the
open data page are the project's: portfolio/open_data.py).

Startup ids keep their dots, case and accents: `startups/1000.jours.json` is the startup
`1000.jours` (the `str` converter is greedy, then gives back the `.json` suffix).
"""

from django.urls import path

from startups import api

app_name = "api"

urlpatterns = [
    path("startups.json", api.startups_json, name="startups_json"),
    path("startups.csv", api.startups_csv, name="startups_csv"),
    path("startups/<ident:startup_id>.json", api.startup_json, name="startup_json"),
    path("incubators.json", api.incubators_json, name="incubators_json"),
    path("organisations.json", api.organisations_json, name="organisations_json"),
]
