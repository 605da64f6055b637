from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm

from accounts.models import User, Weekday
from accounts.timezones import timezone_names

TIMEZONE_ERROR = "Choose a timezone from the list, such as Europe/Lisbon or America/New_York."
HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


def timezone_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(name, name.replace("_", " ")) for name in timezone_names()],
        error_messages={"invalid_choice": TIMEZONE_ERROR, "required": TIMEZONE_ERROR},
        **kwargs,
    )


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That email and password do not match an account. Check both and try "
        "again.",
        "inactive": "This account is inactive.",
    }


class SignupForm(BaseUserCreationForm):
    timezone = timezone_field(
        label="Your timezone",
        help_text="Nudges arrive at your local morning. We guessed from your browser.",
        widget=forms.Select(attrs={"data-guess-timezone": "true"}),
    )

    class Meta:
        model = User
        fields = ("email", "display_name", "timezone")
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {"display_name": "What Tend calls you in emails."}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in instead."
            )
        return email


class PreferencesForm(forms.ModelForm):
    timezone = timezone_field(label="Timezone")
    nudge_hour = forms.TypedChoiceField(
        label="Morning email arrives at",
        choices=HOUR_CHOICES,
        coerce=int,
        help_text="Your local time.",
        error_messages={"invalid_choice": "Choose an hour between 00:00 and 23:00."},
    )
    quiet_weekdays = forms.TypedMultipleChoiceField(
        label="Quiet days",
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="No nudge email on these days; what is due waits for the next day.",
    )
    daily_nudge_limit = forms.IntegerField(
        label="Nudges per day, at most",
        min_value=1,
        max_value=20,
        error_messages={
            "min_value": "Choose between 1 and 20 nudges a day.",
            "max_value": "Choose between 1 and 20 nudges a day.",
            "invalid": "Enter a whole number between 1 and 20.",
            "required": "Enter how many nudges a day suit you (1 to 20).",
        },
        help_text="The rest wait for the next day.",
    )

    class Meta:
        model = User
        fields = (
            "display_name",
            "timezone",
            "nudge_hour",
            "quiet_weekdays",
            "daily_nudge_limit",
            "weekly_email_weekday",
            "email_nudges_enabled",
            "birthday_notice_days",
        )
        labels = {"weekly_email_weekday": "Weekly “three people” email on"}
        error_messages = {
            "birthday_notice_days": {
                "max_value": "Choose between 0 and 30 days before a birthday.",
                "invalid": "Enter a whole number of days, 0 to 30.",
            }
        }
