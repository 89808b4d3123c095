from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portfolio import open_data, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accessibilite/",
        views.static_page,
        {"template": "portfolio/accessibility.html", "title": "Déclaration d'accessibilité"},
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        views.static_page,
        {"template": "portfolio/legal.html", "title": "Mentions légales"},
        name="legal",
    ),
    path("admin/", admin.site.urls),
    path("", include("startups.impact_urls")),
    path("", include("startups.urls")),
    path("", include("budgets.urls")),
    path("api/v2/openapi.json", open_data.openapi_json, name="openapi_json"),
    path("api/v2/", include("startups.api_urls")),
    path("donnees/", open_data.open_data, name="open_data"),
    path("", include("committees.urls")),
]

if settings.PROCONNECT_ENABLED:  # the ProConnect login routes exist only when it is on
    urlpatterns.append(path("partenaires/oidc/", include("mozilla_django_oidc.urls")))

handler404 = "portfolio.views.page_not_found"
handler500 = "portfolio.views.server_error"
