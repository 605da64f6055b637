import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from connections.benchdata import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    SCALES,
    delete_bench_users,
    seed_bench,
    seeded_scale,
)


class Command(BaseCommand):
    help = (
        "Build the benchmark dataset (PostgreSQL): bench@example.com with years of history, "
        "plus other users. Does nothing when it is already there at that scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument(
            "--reset", action="store_true", help="delete the benchmark users first and rebuild"
        )

    def handle(self, *args, scale, reset, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench needs PostgreSQL: set DATABASE_URL=postgres://…")
        current = seeded_scale()
        if current == scale and not reset:
            self.stdout.write(f"Benchmark data already at scale {scale}; --reset rebuilds it.")
            return
        started = time.monotonic()
        delete_bench_users()
        deleted = time.monotonic()
        user = seed_bench(scale=SCALES[scale])
        done = time.monotonic()
        self.stdout.write(
            self.style.SUCCESS(
                f"Benchmark data at scale {scale}: {user.people.count()} people and "
                f"{user.interactions.count()} interactions for {BENCH_EMAIL} "
                f"(cleared in {deleted - started:.1f} s, built in {done - deleted:.1f} s)."
            )
        )
        self.stdout.write(f"  password: {BENCH_PASSWORD}")
