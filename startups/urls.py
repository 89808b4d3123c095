from django.urls import path

from startups import views

app_name = "startups"

urlpatterns = [
    path("startups/", views.startup_list, name="list"),
    path("startups/<str:startup_id>/", views.startup_detail, name="detail"),
    path("incubateurs/", views.incubator_list, name="incubators"),
    path("incubateurs/<str:incubator_id>/", views.incubator_detail, name="incubator"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<str:organisation_id>/", views.organisation_detail, name="organisation"),
]
