"""A 20,000-card file through the real path: upload, a Celery worker in its own process
previews and imports it, and the browser's progress endpoint moves while it does."""

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from connections.models import ImportJob, Person
from tests.connections.import_helpers import import_worker, many_cards

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CARDS = 20_000


@pytest.fixture
def worker_queue(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with import_worker(settings) as queue:
        yield queue


def watch_progress(client, job: ImportJob, *, timeout: float) -> list[int]:
    """Poll the progress endpoint as the page does until it asks for a reload; the percents."""
    url = f"/import/{job.pk}/progress/"
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        if response.get("HX-Refresh") == "true":
            return seen
        text = response.content.decode()
        seen.append(int(text.split('class="import-percent">')[1].split("%")[0]))
        time.sleep(0.2)
    raise AssertionError(f"Still running after {timeout} s; progress seen: {seen[-5:]}")


def test_a_20000_card_file_is_previewed_and_imported_by_a_worker_with_moving_progress(
    client, user, worker_queue
):
    client.force_login(user)
    upload = SimpleUploadedFile("everyone.vcf", many_cards(CARDS), content_type="text/vcard")
    assert upload.size < settings.IMPORT_MAX_BYTES

    response = client.post("/import/", {"file": upload, "strategy": "skip"})
    job = ImportJob.objects.get(owner=user)
    assert response["Location"] == f"/import/{job.pk}/"

    watch_progress(client, job, timeout=120)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.AWAITING_CHOICES
    assert job.rows.filter(status="new").count() == CARDS
    assert not Person.objects.exists()

    client.post(f"/import/{job.pk}/", {"strategy": "skip", "import": "1"})
    during = watch_progress(client, job, timeout=300)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created, job.failed) == (CARDS, 0)
    assert Person.objects.filter(owner=user).count() == CARDS
    assert any(0 < percent < 100 for percent in during), during
    assert during == sorted(during), "progress never goes backwards"
    assert not job.file
    page = client.get(f"/import/{job.pk}/").content.decode()
    assert "Import finished" in page
