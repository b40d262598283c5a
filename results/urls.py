from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.score_list, name="list"),
    path("plans/<int:plan_id>/", views.score_sheet, name="sheet"),
    path("plans/<int:plan_id>/export/", views.score_export, name="export"),
    path("plans/<int:plan_id>/pdf/", views.score_pdf, name="pdf"),
]
