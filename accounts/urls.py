from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("candidate/login/", views.candidate_login, name="candidate_login"),
    path("candidate/activate/", views.candidate_activate, name="candidate_activate"),
    path("candidate/phone/", views.candidate_phone_change, name="candidate_phone_change"),
    path("regional/", views.regional_accounts, name="regional_accounts"),
    path("regional/open/", views.regional_account_open, name="regional_account_open"),
    path("regional/<int:pk>/replace/", views.regional_account_replace, name="regional_account_replace"),
    path("regional/<int:pk>/reset-password/", views.regional_account_reset_password,
         name="regional_account_reset_password"),
    path("regional/<int:pk>/deactivate/", views.regional_account_deactivate, name="regional_account_deactivate"),
    path("regional/<int:pk>/unlock/", views.regional_account_unlock, name="regional_account_unlock"),
    path("regional/history/<str:code>/", views.regional_account_history, name="regional_account_history"),
]
