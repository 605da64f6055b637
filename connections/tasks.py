from celery import shared_task

from connections import delivery, scheduling


@shared_task(name="connections.tasks.tick", ignore_result=True)
def tick() -> None:
    scheduling.run_tick()


@shared_task(name="connections.tasks.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    return delivery.send_delivery(delivery_id)
