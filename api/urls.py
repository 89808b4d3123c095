"""The open data API, included at the root: beta.gouv.fr's resources under `api/v2/`, our own
(budget, decisions, indicators), the OpenAPI document and the open data page.

Startup ids keep their dots, case and accents: `startups/1000.jours.json` is the startup
`1000.jours` (the `ident` converter is greedy, then gives back the `.json` suffix).
"""

from django.urls import path

from api import betagouv, decisions, impact, money, open_data

app_name = "api"

urlpatterns = [
    path("api/v2/startups.json", betagouv.startups_json, name="startups_json"),
    path("api/v2/startups.csv", betagouv.startups_csv, name="startups_csv"),
    path(
        "api/v2/startups/<ident:startup_id>/indicators.json",
        impact.indicators_json,
        name="indicators_json",
    ),
    path(
        "api/v2/startups/<ident:startup_id>/indicators.csv",
        impact.indicators_csv,
        name="indicators_csv",
    ),
    path("api/v2/startups/<ident:startup_id>.json", betagouv.startup_json, name="startup_json"),
    path("api/v2/incubators.json", betagouv.incubators_json, name="incubators_json"),
    path("api/v2/organisations.json", betagouv.organisations_json, name="organisations_json"),
    path("api/v2/budget.json", money.budget_json, name="budget_json"),
    path("api/v2/budget.csv", money.budget_csv, name="budget_csv"),
    path("api/v2/decisions.json", decisions.decisions_json, name="decisions_json"),
    path("api/v2/decisions.csv", decisions.decisions_csv, name="decisions_csv"),
    path("api/v2/openapi.json", open_data.openapi_json, name="openapi_json"),
    path("donnees/", open_data.open_data, name="open_data"),
]
