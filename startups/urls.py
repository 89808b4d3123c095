from django.urls import path

from startups import views

app_name = "startups"

urlpatterns = [
    path("startups/", views.startup_list, name="list"),
    path("startups/<ident:startup_id>/", views.startup_detail, name="detail"),
    path("incubateurs/", views.incubator_list, name="incubators"),
    path("incubateurs/<ident:incubator_id>/", views.incubator_detail, name="incubator"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<ident:organisation_id>/", views.organisation_detail, name="organisation"),
]
