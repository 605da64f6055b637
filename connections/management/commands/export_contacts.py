from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from connections.exporting import csv_chunks, json_chunks, vcard_chunks

FORMATS = {"json": json_chunks, "vcard": vcard_chunks, "csv": csv_chunks}


class Command(BaseCommand):
    help = "Export one user's people: json (everything, restorable), vcard or csv."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, metavar="EMAIL", help="the account's email")
        parser.add_argument("--format", dest="fmt", required=True, help="json, vcard or csv")
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *args, user, fmt, output, **options):
        chunks = FORMATS.get(fmt.lower())
        if chunks is None:
            raise CommandError(f"Unknown format {fmt!r}: choose json, vcard or csv.")
        account = User.objects.filter(email__iexact=user.strip()).first()
        if account is None:
            raise CommandError(f"No account with the email {user!r}.")
        if not output:
            for chunk in chunks(account):
                self.stdout.write(chunk, ending="")
            return
        path = Path(output)
        try:
            # newline="" keeps the CRLF line ends vCard and CSV require.
            with path.open("w", encoding="utf-8", newline="") as out:
                for chunk in chunks(account):
                    out.write(chunk)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror}.") from None
        people = account.people.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {people} {'person' if people == 1 else 'people'} to {path}."
            )
        )
