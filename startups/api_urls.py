"""The open data API, included under `api/v2/`, and the open data page (`open_data_urlpatterns`,
included at the root).

Startup ids keep their dots, case and accents: `startups/1000.jours.json` is the startup
`1000.jours` (the `str` converter is greedy, then gives back the `.json` suffix).
"""

from django.urls import path

from startups import api

app_name = "api"

urlpatterns = [
    path("startups.json", api.startups_json, name="startups_json"),
    path("startups.csv", api.startups_csv, name="startups_csv"),
    path("startups/<str:startup_id>.json", api.startup_json, name="startup_json"),
    path("incubators.json", api.incubators_json, name="incubators_json"),
    path("organisations.json", api.organisations_json, name="organisations_json"),
    path("openapi.json", api.openapi_json, name="openapi_json"),
]

open_data_urlpatterns = [
    path("donnees/", api.open_data, name="open_data"),
]
