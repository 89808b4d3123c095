"""Impact pages and exports, included at the root (see portfolio/urls.py).

Startup ids keep their dots, case and accents; the `str` converter never crosses a `/`, so
`startups/<id>/impact/` and `api/v2/startups/<id>/indicators.json` never clash with the
registry's routes.
"""

from django.urls import path

from startups import impact_views

app_name = "impact"

urlpatterns = [
    path("impact/", impact_views.programme_impact, name="programme"),
    path("startups/<ident:startup_id>/impact/", impact_views.startup_impact, name="startup"),
    path(
        "api/v2/startups/<ident:startup_id>/indicators.json",
        impact_views.indicators_json,
        name="indicators_json",
    ),
    path(
        "api/v2/startups/<ident:startup_id>/indicators.csv",
        impact_views.indicators_csv,
        name="indicators_csv",
    ),
]
