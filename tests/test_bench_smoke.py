"""The benchmarks' smoke run: every script works and page query counts do not grow with the
data. Never a time limit: figures are checked for their shape only."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from bench import run
from connections.benchdata import BENCH_EMAIL
from connections.models import Goal, Interaction, Person
from tests.worker import redis_broker_url

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_and_redis(settings):
    if connection.vendor != "postgresql":
        pytest.skip("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://…")
    settings.CELERY_BROKER_URL = redis_broker_url()


def test_seed_bench_builds_once_and_rebuilds_on_reset(postgres_and_redis):
    call_command("seed_bench", scale="smoke", verbosity=0)
    user = User.objects.get(email=BENCH_EMAIL)
    people = Person.objects.for_user(user)
    assert people.count() == 200
    assert Interaction.objects.for_user(user).count() == 4000
    assert people.filter(last_interaction_at__isnull=False).count() > 150
    # Search documents built as the app keeps them: the same people as reading every note.
    heard_garden = set(
        Interaction.objects.for_user(user)
        .filter(what_i_heard__icontains="garden")
        .values_list("people", flat=True)
    )
    assert heard_garden
    assert heard_garden <= set(people.search("garden", user=user).values_list("id", flat=True))
    # Only what the app itself can make: a goal is achieved on a day that has come.
    achieved = Goal.objects.filter(owner=user, status=Goal.Status.ACHIEVED)
    assert achieved.exists()
    assert not achieved.filter(achieved_on__gt=user.local_now().date()).exists()

    call_command("seed_bench", scale="smoke", verbosity=0)
    assert User.objects.get(email=BENCH_EMAIL).pk == user.pk, "already there: left alone"

    call_command("seed_bench", scale="smoke", reset=True, verbosity=0)
    rebuilt = User.objects.get(email=BENCH_EMAIL)
    assert rebuilt.pk != user.pk
    assert Person.objects.for_user(rebuilt).count() == 200
    assert not Person.objects.filter(owner_id=user.pk).exists()


def test_the_smoke_run_measures_pages_dispatch_load_and_import(postgres_and_redis, tmp_path):
    results = run.run_all("smoke", files=tmp_path / "files")
    path = run.write(results, results_dir=tmp_path, docs=tmp_path / "benchmarks.md")

    assert run.problems(results) == []
    saved = json.loads(path.read_text())
    assert set(saved["pages"]["pages"]) == {
        "floor",
        "dashboard",
        "people",
        "people_search",
        "people_by_value",
        "person",
        "insights",
    }
    for page in saved["pages"]["pages"].values():
        assert page["p50_ms"] > 0 and page["ratio_p50"] > 0
        assert isinstance(page["queries"], int), "the same count on every request"
        assert page["queries"] == page["queries_other_user"]
    assert saved["dispatch"]["complete"] and saved["dispatch"]["ratio_one_worker"] > 0
    assert saved["load"]["pages"]["requests"] > 0 and saved["load"]["errors"] == 0
    first_look = saved["pages"]["dashboard_first_look"]
    assert first_look["p50_ms"] > 0
    assert len(first_look["queries"]) == 1, "the same count on every first look"
    assert first_look["queries"][0] > saved["pages"]["pages"]["dashboard"]["queries"]
    docs = (tmp_path / "benchmarks.md").read_text()
    assert "| dashboard |" in docs
    assert "The first dashboard of a week also chooses the week's three" in docs

    imported = saved["import"]
    assert [(f["kind"], f["records"]) for f in imported["files"]] == [
        ("vcard", 20),
        ("vcard", 200),
        ("google_csv", 100),
        ("google_csv", 1000),
    ]
    for item in imported["files"]:
        first, again = item["first"], item["again"]
        assert first["complete"] and first["failed"] == 0
        assert first["created"] + first["merged"] == item["records"], "every contact came in"
        assert again["skipped"] == item["records"], "the second run found every one"
        assert item["people_after"] == first["created"]
        assert first["ratio"] > 0 and item["floor_seconds"] > 0
        assert item["worker_peak_mb_first"] >= item["worker_ready_mb"] > 0
    assert set(imported["memory"]) == {"vcard", "google_csv"}
    assert "| Google CSV | 1,000 |" in docs
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == [
        "google_csv-100.csv",
        "google_csv-1000.csv",
        "vcard-20.vcf",
        "vcard-200.vcf",
    ]
    assert not User.objects.filter(email__startswith="bench+import-").exists()
