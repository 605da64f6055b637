from django.urls import path

from connections.views import (
    calendar,
    dashboard,
    email_actions,
    health,
    insights,
    merge,
    nudges,
    people_list,
    photos,
)
from connections.views import exports as exports_views
from connections.views import imports as imports_views
from connections.views import interactions as interaction_views
from connections.views import me as me_views
from connections.views import people_picker as picker_views
from connections.views import person as person_views
from connections.views import person_forms as person_form_views

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("people/<int:pk>/photo/", photos.person_photo, name="person_photo"),
    # --- nudges: one-click email actions, unsubscribe, calendar feed ---
    path("n/<str:token>/", email_actions.nudge_action, name="nudge_action"),
    path("unsubscribe/<str:token>/", email_actions.unsubscribe, name="unsubscribe"),
    path("calendar/<str:token>.ics", calendar.feed, name="calendar_feed"),
    path("settings/calendar/reset/", calendar.reset, name="calendar_reset"),
    path("nudges/<int:pk>/done/", nudges.done, name="nudge_done"),
    path("nudges/<int:pk>/snooze/", nudges.snooze, name="nudge_snooze"),
    path("nudges/<int:pk>/dismiss/", nudges.dismiss, name="nudge_dismiss"),
    path("people/<int:pk>/follow-up/", nudges.follow_up, name="person_follow_up"),
    # --- people list, search, bulk actions ---
    path("people/", people_list.people, name="people"),
    path("people/bulk/", people_list.people_bulk, name="people_bulk"),
    path("people/pick/", picker_views.people_pick, name="people_pick"),
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
    path("people/new/", person_form_views.person_add, name="person_add"),
    path("people/<int:pk>/edit/", person_form_views.person_edit, name="person_edit"),
    path("people/<int:pk>/archive/", person_form_views.person_archive, name="person_archive"),
    path("people/<int:pk>/restore/", person_form_views.person_restore, name="person_restore"),
    path("people/<int:pk>/delete/", person_form_views.person_delete, name="person_delete"),
    path("me/", me_views.me, name="me"),
    path("me/values/", me_views.me_value_add, name="me_value_add"),
    path("me/values/<int:pk>/remove/", me_views.me_value_remove, name="me_value_remove"),
    path("me/reflections/", me_views.me_reflection_add, name="me_reflection_add"),
    path("me/reflections/<int:pk>/edit/", me_views.me_reflection_edit, name="me_reflection_edit"),
    path(
        "me/reflections/<int:pk>/delete/",
        me_views.me_reflection_delete,
        name="me_reflection_delete",
    ),
    # --- insights ---
    path("insights/", insights.insights, name="insights"),
    # --- merge ---
    path("people/merge/", merge.merge, name="people_merge"),
    # --- exports ---
    path("export/<str:fmt>/", exports_views.export, name="export"),
    # --- imports ---
    path("import/", imports_views.import_page, name="import"),
    path("import/<int:pk>/", imports_views.import_job, name="import_job"),
    path("import/<int:pk>/mapping/", imports_views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/progress/", imports_views.import_progress, name="import_progress"),
]
