"""Public budget routes, included at the root: `path("", include("budgets.urls"))`."""

from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("budget/", views.budget_page, name="programme"),
]
