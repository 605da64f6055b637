"""Files and settings the import tests share."""

import base64
from contextlib import contextmanager
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.celery import app as celery_app
from tests.worker import celery_worker, new_queue, redis_broker_url


def card(name: str, *, email="", phone="", uid="", org="", bday="", photo=b"") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    if name:
        lines.append(f"FN:{name}")
        lines.append(f"N:{name.split(' ')[-1]};{name.split(' ')[0]};;;")
    if uid:
        lines.append(f"UID:{uid}")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{email}")
    if phone:
        lines.append(f"TEL;TYPE=CELL:{phone}")
    if org:
        lines.append(f"ORG:{org}")
    if bday:
        lines.append(f"BDAY:{bday}")
    if photo:
        lines.append(f"PHOTO;ENCODING=b;TYPE=JPEG:{base64.b64encode(photo).decode()}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def vcf(*cards: str, name: str = "contacts.vcf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "".join(cards).encode(), content_type="text/vcard")


def many_cards(count: int) -> bytes:
    return "".join(
        card(f"Person {n:05d}", email=f"person{n}@example.com", uid=f"uid-{n}")
        for n in range(1, count + 1)
    ).encode()


def jpeg_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 80)).save(buffer, format="JPEG")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


@contextmanager
def import_worker(settings):
    """A real worker on the broker this process sends to, reading a queue of its own; the
    views' `.delay()` goes to that queue meanwhile. Yields the queue name."""
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("redis"):
        redis_broker_url()  # skips, or fails under CI, when no Redis answers
    queue = new_queue()
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
        with celery_worker(broker, queue=queue, extra_env=env):
            yield queue
    finally:
        celery_app.conf.task_default_queue = previous
