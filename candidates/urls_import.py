"""导入考生信息 (docs/decisions.md#candidate-import). Included by candidates/urls.py under the "candidates" namespace."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("plans/<int:plan_pk>/import/", views_import.import_page, name="import"),
    path("plans/<int:plan_pk>/import/upload/", views_import.import_upload, name="import_upload"),
    path("imports/", views_import.import_runs, name="import_runs"),
    path("imports/<int:pk>/", views_import.import_run, name="import_run"),
    path("imports/<int:pk>/start/", views_import.import_start, name="import_start"),
    path("imports/<int:pk>/readd/", views_import.import_readd, name="import_readd"),
    path("imports/<int:pk>/report/", views_import.import_report, name="import_report"),
    path("imports/template/", views_import.import_template, name="import_template"),
]
