"""The public budget page, /budget/ (its open data is the API's: api/money.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from budgets import public
from publishing.caching import public_page
from publishing.pages import breadcrumb


@require_safe
@public_page(depends_on=("startups", "budgets"))
def budget_page(request: HttpRequest) -> HttpResponse:
    budget = public.programme_budget()
    return render(
        request,
        "budgets/budget.html",
        {
            "title": "Budget du programme",
            "budget": budget,
            "chart": public.year_chart(budget["years"]),
            "breadcrumb_data": breadcrumb(current="Budget"),
        },
    )
