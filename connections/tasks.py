from celery import shared_task

from connections.scheduling import run_tick


@shared_task(name="connections.tasks.tick", ignore_result=True)
def tick() -> None:
    run_tick()
