from django.urls import path

from connections.views import dashboard, health, insights, photos

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("people/<int:pk>/photo/", photos.person_photo, name="person_photo"),
    # --- people list, search, bulk actions ---
    # --- person page: timeline, logging, values, goals, relationships ---
    # --- person add / edit / archive / delete; Me page ---
    # --- insights ---
    path("insights/", insights.insights, name="insights"),
    # --- merge ---
]
