from django.urls import include, path

from . import views

app_name = "candidates"
urlpatterns = [
    # import (docs/decisions.md#candidate-import) lives in its own module; it defines no app_name of its own
    path("", include("candidates.urls_import")),
    # candidate information (docs/decisions.md#candidate-list)
    path("", views.candidate_list, name="list"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/reveal/", views.candidate_reveal, name="reveal"),
    path("<int:pk>/phone/", views.candidate_phone, name="phone"),
    path("<int:pk>/unlock/", views.candidate_unlock, name="unlock"),
    path("<int:pk>/edit/", views.candidate_edit, name="edit"),
    path("<int:pk>/delete/", views.candidate_delete, name="delete"),
    path("plans/<int:plan_id>/add/", views.candidate_add, name="add"),
    path("plans/<int:plan_id>/notice/", views.plan_notice, name="notice"),
    path("export/", views.candidate_export, name="export"),
    # the candidate's own page
    path("mine/", views.my_registrations, name="my_registrations"),
]
