from django.urls import path

from . import views

app_name = "blacklist"
urlpatterns = [
    path("", views.entry_list_view, name="list"),
    path("export/", views.entry_export, name="export"),
    path("add/", views.entry_add, name="add"),
    path("add/from-registration/", views.entry_add_from_registration, name="add_from_registration"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/revoke/", views.entry_revoke_view, name="revoke"),
    path("<int:pk>/reveal/", views.entry_reveal, name="reveal"),
    path("<int:pk>/evidence/", views.entry_evidence, name="evidence"),
    path("categories/", views.categories, name="categories"),
    path("categories/add/", views.category_add, name="category_add"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
]
