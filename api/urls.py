"""The open data API, included at the root: beta.gouv.fr's resources under `api/v2/` …
`api/v2.7/`, each version in its own shape (api.betagouv), our own (one startup, budget,
decisions, indicators, `/api/v2/`'s CSV, incubators and organisations), the OpenAPI documents
and the open data page.

Startup ids keep their dots, case and accents: `startups/1000.jours.json` is the startup
`1000.jours` (the `ident` converter is greedy, then gives back the `.json` suffix).
"""

from django.urls import path

from api import betagouv, decisions, impact, money, open_data, registry

app_name = "api"


def version_name(version: str, resource: str) -> str:
    """`v2.7:startups.json` → the URL name `v2_7_startups_json`."""
    return f"v{version.replace('.', '_')}_{resource.replace('.', '_')}"


# Where beta.gouv.fr's v2 and our own API share `/api/v2/`, beta.gouv.fr's paths win for the
# resources its v2 has (startups.json, authors.json); the others stay ours.
urlpatterns = [
    path(
        f"api/v{version}/{resource}",
        betagouv.view(version, resource),
        name=version_name(version, resource),
    )
    for version in betagouv.VERSIONS
    for resource in betagouv.resources_of(version)
]
urlpatterns += [
    path(
        f"api/v{version}/openapi.json",
        open_data.openapi_json,
        {"version": version},
        name=version_name(version, "openapi.json"),
    )
    for version in betagouv.VERSIONS
    if version != "2"
]
urlpatterns += [
    path("api/v2/startups.csv", registry.startups_csv, name="startups_csv"),
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
    path("api/v2/startups/<ident:startup_id>.json", registry.startup_json, name="startup_json"),
    path("api/v2/incubators.json", registry.incubators_json, name="incubators_json"),
    path("api/v2/organisations.json", registry.organisations_json, name="organisations_json"),
    path("api/v2/budget.json", money.budget_json, name="budget_json"),
    path("api/v2/budget.csv", money.budget_csv, name="budget_csv"),
    path("api/v2/decisions.json", decisions.decisions_json, name="decisions_json"),
    path("api/v2/decisions.csv", decisions.decisions_csv, name="decisions_csv"),
    path("api/v2/openapi.json", open_data.openapi_json, {"version": "2"}, name="openapi_json"),
    path("donnees/", open_data.open_data, name="open_data"),
]
