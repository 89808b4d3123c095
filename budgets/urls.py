"""Public budget routes, included at the root: `path("", include("budgets.urls"))`."""

from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("budget/", views.budget_page, name="programme"),
    path("api/v2/budget.json", views.budget_json, name="json"),
    path("api/v2/budget.csv", views.budget_csv, name="csv"),
]
