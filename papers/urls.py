from django.urls import path

from . import views

app_name = "papers"
urlpatterns = [
    path("rules/", views.rule_list_view, name="rules"),
    path("rules/add/", views.rule_add, name="rule_add"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/active/", views.rule_active, name="rule_active"),
    path("rules/<int:pk>/preview/", views.rule_preview, name="rule_preview"),
    path("registrations/<int:registration_id>/", views.registration_paper, name="registration_paper"),
    path("plans/<int:plan_id>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:plan_id>/generate/", views.plan_generate, name="plan_generate"),
    path("plans/<int:plan_id>/papers/", views.plan_papers, name="plan_papers"),
]
