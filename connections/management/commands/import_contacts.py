from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from connections.importing.pipeline import (
    preview_job,
    reject_job,
    run_import,
    start_import,
    summary_lines,
)
from connections.models import ImportJob, ImportStrategy


class Command(BaseCommand):
    help = (
        "Import contact files (vCard, Google/Outlook/LinkedIn CSV, Tend JSON; the format is "
        "detected) for a user, now, and print what happened row by row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The email of the account to fill.")
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--strategy",
            choices=ImportStrategy.values,
            default=ImportStrategy.SKIP,
            help="For contacts already in Tend: skip them (default), fill in what they are "
            "missing, or add them as new people.",
        )

    def handle(self, *args, user, files, strategy, **options):
        owner = get_user_model().objects.filter(email__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(f"No user has the email {user}.")
        refused = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: no such file.")
                refused += 1
                continue
            with path.open("rb") as handle:
                job = start_import(
                    owner=owner,
                    uploaded_by=None,
                    uploaded_file=File(handle, name=path.name),
                    strategy=strategy,
                )
            if job.needs_mapping:
                job = reject_job(
                    job,
                    "This CSV has no layout Tend knows; import it in the browser, where you "
                    "can say which column holds what.",
                )
            if job.status == ImportJob.Status.UPLOADED:
                job = run_import(preview_job(job))
            for line in summary_lines(job):
                self.stdout.write(line)
            if job.status in (ImportJob.Status.REJECTED, ImportJob.Status.FAILED):
                refused += 1
        if refused:
            raise CommandError(f"{refused} of {len(files)} files could not be imported.")
