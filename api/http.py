"""HTTP of the open data API: anyone may read it from anywhere (CORS), JSON bodies."""

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
SAFE_METHODS = ("GET", "HEAD")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Disposition",
}


def max_age() -> int:
    return getattr(settings, "PUBLIC_PAGE_MAX_AGE", 60)


def open_api_endpoint(view: Callable) -> Callable:
    """GET and HEAD for anyone, from anywhere (CORS), with a preflight answer for OPTIONS."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in SAFE_METHODS:
            response = HttpResponseNotAllowed([*SAFE_METHODS, "OPTIONS"])
        else:
            response = view(request, *args, **kwargs)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def dumps(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type=JSON_CONTENT_TYPE)


def not_found() -> HttpResponse:
    return JsonResponse({"errors": [{"status": "404", "title": "Introuvable"}]}, status=404)
