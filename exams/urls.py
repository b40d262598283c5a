from django.urls import path

from . import views

app_name = "exams"
urlpatterns = [
    path("sit/<int:registration_id>/", views.sit, name="sit"),
    path("sit/<int:registration_id>/start/", views.start, name="start"),
    path("attempt/<int:pk>/save/", views.save, name="save"),
    path("attempt/<int:pk>/clock/", views.clock, name="clock"),
    path("attempt/<int:pk>/submit/", views.submit, name="submit"),
    path("monitor/", views.monitor, name="monitor"),
    path("monitor/<int:pk>/", views.monitor_plan, name="monitor_plan"),
    path("unlock/<int:registration_id>/", views.unlock, name="unlock"),
    path("monitor/<int:pk>/extend/", views.extend, name="extend"),
    path("entry-rules/", views.entry_rules, name="entry_rules"),
    path("plans/<int:pk>/networks/", views.entry_networks, name="entry_networks"),
]
