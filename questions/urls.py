from django.urls import path

from . import views

app_name = "questions"
urlpatterns = [
    path("", views.question_list_view, name="list"),
    path("add/", views.question_add, name="add"),
    path("areas/", views.area_list_view, name="areas"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("<int:pk>/", views.question_detail, name="detail"),
    path("<int:pk>/edit/", views.question_edit, name="edit"),
    path("<int:pk>/enable/", views.question_enable, name="enable"),
    path("<int:pk>/delete/", views.question_delete_view, name="delete"),
]
