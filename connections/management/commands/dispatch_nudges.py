from django.core.management.base import BaseCommand

from connections.scheduling import run_tick


class Command(BaseCommand):
    help = "Run one scheduling tick now: create due nudges and hand ready emails to workers."

    def handle(self, *args, **options):
        report = run_tick()
        self.stdout.write(f"Tick done: {report}.")
