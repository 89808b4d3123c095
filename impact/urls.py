"""Impact pages, included at the root (see portfolio/urls.py).

Startup ids keep their dots, case and accents; the `ident` converter never crosses a `/`, so
`startups/<id>/impact/` never clashes with the registry's routes.
"""

from django.urls import path

from impact import views as impact_views

app_name = "impact"

urlpatterns = [
    path("impact/", impact_views.programme_impact, name="programme"),
    path("startups/<ident:startup_id>/impact/", impact_views.startup_impact, name="startup"),
]
