from django.urls import path

from . import views

app_name = "sms"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
]
