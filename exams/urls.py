from django.urls import path

from . import views, views_pretest

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
    # 考前测试: the candidate's
    path("pretest/<int:registration_id>/", views_pretest.pretest, name="pretest"),
    path("pretest/<int:registration_id>/info/", views_pretest.pretest_info, name="pretest_info"),
    path("pretest/<int:registration_id>/device/", views_pretest.pretest_device, name="pretest_device"),
    path("pretest/device/<int:pk>/ping/", views_pretest.device_ping, name="device_ping"),
    path("pretest/device/<int:pk>/save/", views_pretest.device_save, name="device_save"),
    path("pretest/device/<int:pk>/finish/", views_pretest.device_finish, name="device_finish"),
    path("pretest/<int:registration_id>/practice/", views_pretest.pretest_practice, name="pretest_practice"),
    path("pretest/practice/<int:pk>/submit/", views_pretest.practice_submit, name="practice_submit"),
    # 考前测试: the 管局's and central's
    path("pretest/", views_pretest.pretest_plans, name="pretest_plans"),
    path("pretest/plans/<int:pk>/", views_pretest.pretest_plan, name="pretest_plan"),
    path("pretest/plans/<int:pk>/notice/", views_pretest.pretest_notice, name="pretest_notice"),
    path("pretest/<int:registration_id>/resolve/", views_pretest.pretest_resolve, name="pretest_resolve"),
]
