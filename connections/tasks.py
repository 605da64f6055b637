from celery import shared_task

from connections import delivery, scheduling


@shared_task(name="connections.tasks.tick", ignore_result=True)
def tick() -> None:
    scheduling.run_tick()


@shared_task(name="connections.tasks.send_deliveries", ignore_result=True)
def send_deliveries(delivery_ids: list[int]) -> dict[int, str]:
    return delivery.send_deliveries(delivery_ids)


# One email per task: what the tick enqueued before batches; messages already in a broker
# when this version starts still name it.
@shared_task(name="connections.tasks.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    return delivery.send_delivery(delivery_id)


# --- imports: thin and idempotent; the job's status in the database says what is left ---


@shared_task(name="connections.tasks.preview_import", ignore_result=True)
def preview_import(job_id: int) -> None:
    from connections.importing.pipeline import preview_job
    from connections.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None and job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING):
        preview_job(job)


@shared_task(name="connections.tasks.run_import_job", ignore_result=True)
def run_import_job(job_id: int) -> None:
    from connections.importing.pipeline import run_import
    from connections.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None and job.status in (
        ImportJob.Status.AWAITING_CHOICES,
        ImportJob.Status.IMPORTING,
    ):
        run_import(job)
