from django.urls import path

from . import views

app_name = "exams"
urlpatterns = [
    path("sit/<int:registration_id>/", views.sit, name="sit"),
    path("sit/<int:registration_id>/start/", views.start, name="start"),
    path("attempt/<int:pk>/save/", views.save, name="save"),
    path("attempt/<int:pk>/clock/", views.clock, name="clock"),
    path("attempt/<int:pk>/submit/", views.submit, name="submit"),
]
