from django.core.management.base import BaseCommand, CommandError

from accounts.timezones import is_valid_timezone
from connections.demo import DEMO_EMAIL, seed_demo


class Command(BaseCommand):
    help = "Create a demo account with forty people and six months of conversations ending today."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL, help=f"default {DEMO_EMAIL}")
        parser.add_argument("--password", help="default: a new random password, printed")
        parser.add_argument("--timezone", default="Europe/Lisbon", help="default Europe/Lisbon")
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo account first, if it exists"
        )

    def handle(self, *args, email, password, timezone, reset, **options):
        if not is_valid_timezone(timezone):
            raise CommandError(f"Unknown timezone {timezone!r}; try Europe/Lisbon.")
        try:
            user, password = seed_demo(
                email=email, password=password, timezone_name=timezone, reset=reset
            )
        except FileExistsError:
            raise CommandError(
                f"{email} already exists. Run again with --reset to replace it."
            ) from None
        people = user.people.count()
        interactions = user.interactions.count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo account ready: {people} people, {interactions} interactions.")
        )
        self.stdout.write(f"  email:    {user.email}")
        self.stdout.write(f"  password: {password}")
