from django.urls import path

from . import views, views_import

app_name = "questions"
urlpatterns = [
    path("", views.question_list_view, name="list"),
    path("add/", views.question_add, name="add"),
    path("areas/", views.area_list_view, name="areas"),
    path("import/", views_import.import_page, name="import"),
    path("import/template/", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_run, name="import_run"),
    path("import/<int:pk>/report/", views_import.import_report, name="import_report"),
    path("export/", views_import.export_view, name="export"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("<int:pk>/", views.question_detail, name="detail"),
    path("<int:pk>/edit/", views.question_edit, name="edit"),
    path("<int:pk>/enable/", views.question_enable, name="enable"),
    path("<int:pk>/delete/", views.question_delete_view, name="delete"),
]
