from django.urls import path

from . import views

app_name = "proctoring"
urlpatterns = [
    path("consent/<int:registration_id>/", views.consent, name="consent"),
    path("attempt/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("attempt/<int:pk>/events/", views.events, name="events"),
    path("attempt/<int:pk>/snapshots/", views.snapshot_upload, name="snapshot_upload"),
    path("attempt/<int:pk>/", views.attempt_record, name="attempt_record"),
    path("snapshots/<int:pk>/image/", views.snapshot_image, name="snapshot_image"),
]
