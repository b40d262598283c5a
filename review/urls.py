from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/start/", views.plan_start, name="start"),
    path("plans/<int:plan_id>/publish/", views.plan_publish, name="publish"),
    path("attempts/<int:attempt_id>/", views.candidate_evidence, name="candidate"),
    path("attempts/<int:attempt_id>/decide/", views.candidate_decide, name="decide"),
    path("attempts/<int:attempt_id>/confirm/", views.candidate_confirm, name="confirm"),
    path("attempts/<int:attempt_id>/return/", views.candidate_return, name="return"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("object/<int:registration_id>/", views.candidate_object, name="object"),
]
