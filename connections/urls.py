from django.urls import path

from connections.views import calendar, dashboard, email_actions, health, merge, nudges, photos

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
    # --- person page: timeline, logging, values, goals, relationships ---
    # --- person add / edit / archive / delete; Me page ---
    # --- insights ---
    # --- merge ---
    path("people/merge/", merge.merge, name="people_merge"),
]
