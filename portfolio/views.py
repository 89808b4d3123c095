import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from api.http import not_found
from publishing.caching import public_page
from startups.views import home_figures

logger = logging.getLogger(__name__)


@require_safe
@public_page(depends_on=("startups",))
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/home.html", {"title": "Accueil", **home_figures()})


@require_safe
def static_page(request: HttpRequest, template: str, title: str) -> HttpResponse:
    return render(request, template, {"title": title})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("healthz : base de données injoignable : %s", exc)
        # A connection left broken must not be reused by the next request of this worker.
        connection.close_if_unusable_or_obsolete()
        return JsonResponse(
            {
                "status": "error",
                "database": "unavailable",
                "detail": "La base de données ne répond pas.",
            },
            status=503,
        )
    return JsonResponse({"status": "ok"})


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def service_unavailable(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        response = JsonResponse(
            {"status": "error", "detail": "Service momentanément indisponible."}, status=503
        )
    else:
        response = render(request, "503.html", {"title": "Service indisponible"}, status=503)
    response["Retry-After"] = "30"
    return response


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if wants_json(request):
        return not_found()
    return render(request, "404.html", {"title": "Page introuvable"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": [{"status": "500", "title": "Erreur interne"}]}, status=500)
    return render(request, "500.html", {"title": "Erreur inattendue"}, status=500)
