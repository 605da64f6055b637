from django.urls import reverse

VALID = {
    "display_name": "Alice",
    "timezone": "Pacific/Kiritimati",
    "nudge_hour": "7",
    "quiet_weekdays": ["5", "6"],
    "daily_nudge_limit": "5",
    "weekly_email_weekday": "6",
    "email_nudges_enabled": "on",
    "birthday_notice_days": "3",
}


def test_settings_page_shows_current_preferences(alice_client):
    response = alice_client.get(reverse("settings"))
    assert response.status_code == 200
    assert '<option value="Europe/Lisbon" selected>' in response.text
    assert '<label for="id_daily_nudge_limit">' in response.text


def test_saving_preferences(alice_client, user):
    response = alice_client.post(reverse("settings"), VALID, follow=True)

    assert "Settings saved." in response.text
    user.refresh_from_db()
    assert user.timezone == "Pacific/Kiritimati"
    assert user.nudge_hour == 7
    assert user.quiet_weekdays == [5, 6]
    assert user.daily_nudge_limit == 5
    assert user.weekly_email_weekday == 6


def test_invalid_preferences_get_clear_errors_and_keep_what_was_typed(alice_client, user):
    response = alice_client.post(
        reverse("settings"),
        {**VALID, "timezone": "Mars/Olympus_Mons", "nudge_hour": "25", "daily_nudge_limit": "0"},
    )

    assert response.status_code == 200
    assert "Choose a timezone from the list" in response.text
    assert "Choose an hour between 00:00 and 23:00." in response.text
    assert "Choose between 1 and 20 nudges a day." in response.text
    assert 'value="Alice"' in response.text
    user.refresh_from_db()
    assert user.timezone == "Europe/Lisbon"
    assert user.nudge_hour == 8


def test_every_day_quiet_is_refused(alice_client, user):
    response = alice_client.post(
        reverse("settings"), {**VALID, "quiet_weekdays": [str(d) for d in range(7)]}
    )
    assert "Leave at least one day of the week for nudges." in response.text
    user.refresh_from_db()
    assert user.quiet_weekdays == []
