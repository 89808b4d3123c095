from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from portfolio import views

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
    # Indicators and measurements moved from the startups app to impact: old bookmarks follow.
    re_path(
        r"^admin/startups/(?P<model>indicator|measurement)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/impact/%(model)s/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("", include("impact.urls")),
    path("", include("startups.urls")),
    path("", include("budgets.urls")),
    path("", include("committees.urls")),
    path("", include("api.urls")),
]

if settings.PROCONNECT_ENABLED:  # the ProConnect login routes exist only when it is on
    urlpatterns.append(path("partenaires/oidc/", include("mozilla_django_oidc.urls")))

handler404 = "portfolio.views.page_not_found"
handler500 = "portfolio.views.server_error"
