from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list_view, name="list"),
    path("review/", views.review_queue, name="review_queue"),
    path("add/", views.plan_add, name="add"),
    path("settings/", views.duration_settings, name="settings"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/delete/", views.plan_delete_view, name="delete"),
    path("<int:pk>/review/", views.plan_review, name="review"),
]
