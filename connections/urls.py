from django.urls import path

from connections.views import (
    dashboard,
    health,
    people_list,
    photos,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("people/<int:pk>/photo/", photos.person_photo, name="person_photo"),
    # --- people list, search, bulk actions ---
    path("people/", people_list.people, name="people"),
    path("people/bulk/", people_list.people_bulk, name="people_bulk"),
    # --- person page: timeline, logging, values, goals, relationships ---
    # --- person add / edit / archive / delete; Me page ---
    # --- insights ---
    # --- merge ---
]
