from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from accounts.timezones import is_valid_timezone


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def validate_timezone(value: str) -> None:
    if not is_valid_timezone(value):
        raise ValidationError(
            "Choose a timezone from the list, such as Europe/Lisbon or America/New_York."
        )


def validate_weekdays(value: list) -> None:
    if not isinstance(value, list) or any(day not in Weekday.values for day in value):
        raise ValidationError("Quiet days must be weekdays.")
    if len(set(value)) == len(Weekday.values):
        raise ValidationError("Leave at least one day of the week for nudges.")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A Tend account: email login, plus the boundaries that shape its nudges."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField("your name", max_length=120, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA timezone"
    )
    nudge_hour = models.PositiveSmallIntegerField(
        "nudges arrive at",
        default=8,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text="Local hour of the morning email.",
    )
    quiet_weekdays = models.JSONField(
        "quiet days",
        default=list,
        blank=True,
        validators=[validate_weekdays],
        help_text="Days with no nudge email; their nudges wait for the next day.",
    )
    daily_nudge_limit = models.PositiveSmallIntegerField(
        "nudges per day",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    weekly_email_weekday = models.PositiveSmallIntegerField(
        "weekly email on", choices=Weekday.choices, default=Weekday.MONDAY
    )
    email_nudges_enabled = models.BooleanField("email me nudges", default=True)
    birthday_notice_days = models.PositiveSmallIntegerField(
        "remind me of birthdays",
        default=3,
        validators=[MaxValueValidator(30)],
        help_text="Days before a birthday, besides the day itself (0 for only the day).",
    )
    calendar_token = models.CharField(max_length=64, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nudge_hour__lte=23), name="user_nudge_hour_in_day"
            ),
            models.CheckConstraint(
                condition=models.Q(daily_nudge_limit__gte=1), name="user_daily_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_now(self):
        return now().astimezone(self.zone)

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email
