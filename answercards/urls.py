from django.urls import path

from . import views

app_name = "answercards"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/rooms/", views.rooms_generate_view, name="rooms_generate"),
    path("plans/<int:pk>/print/<str:what>/", views.print_start, name="print"),
    path("plans/<int:pk>/import/", views.import_page, name="import"),
    path("plans/<int:pk>/close/", views.scanning_close_view, name="close"),
    path("plans/<int:pk>/reopen/", views.scanning_reopen_view, name="reopen"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("rooms/<int:pk>/roster.pdf", views.room_roster, name="room_roster"),
    path("versions/<int:pk>/booklet.pdf", views.booklet, name="booklet"),
    path("versions/<int:pk>/key.pdf", views.answer_key, name="key"),
    path("import/template/", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("imports/<int:pk>/report/", views.import_report, name="import_report"),
]
