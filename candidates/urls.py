from django.urls import include, path

app_name = "candidates"
urlpatterns = [
    # import (issue 6) lives in its own module; it defines no app_name of its own
    path("", include("candidates.urls_import")),
]
