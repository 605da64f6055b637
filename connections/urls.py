from django.urls import path

from connections.views import dashboard, health, photos
from connections.views import interactions as interaction_views
from connections.views import person as person_views

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("people/<int:pk>/photo/", photos.person_photo, name="person_photo"),
    # --- people list, search, bulk actions ---
    # --- person page: timeline, logging, values, goals, relationships ---
    path("people/<int:pk>/", person_views.person_detail, name="person"),
    path("people/<int:pk>/log/", person_views.person_log, name="person_log"),
    path("people/<int:pk>/values/", person_views.person_value_add, name="person_value_add"),
    path(
        "person-values/<int:pk>/remove/",
        person_views.person_value_remove,
        name="person_value_remove",
    ),
    path("people/<int:pk>/goals/", person_views.goal_add, name="goal_add"),
    path("goals/<int:pk>/status/", person_views.goal_status, name="goal_status"),
    path("goals/<int:pk>/milestones/", person_views.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/toggle/", person_views.milestone_toggle, name="milestone_toggle"),
    path("people/<int:pk>/relationships/", person_views.relationship_add, name="relationship_add"),
    path(
        "relationships/<int:pk>/delete/",
        person_views.relationship_delete,
        name="relationship_delete",
    ),
    path("interactions/new/", interaction_views.interaction_add, name="interaction_add"),
    path(
        "interactions/<int:pk>/edit/", interaction_views.interaction_edit, name="interaction_edit"
    ),
    path(
        "interactions/<int:pk>/delete/",
        interaction_views.interaction_delete,
        name="interaction_delete",
    ),
    # --- person add / edit / archive / delete; Me page ---
    # --- insights ---
    # --- merge ---
]
