"""The user's reflection journal: their own inner work, written on the Me page."""

from datetime import date

from django.db import transaction

from connections.models import Reflection


@transaction.atomic
def add_reflection(*, owner, body: str, topic: str, written_on: date) -> Reflection:
    reflection = Reflection(owner=owner, body=body.strip(), topic=topic, written_on=written_on)
    reflection.full_clean()
    reflection.save()
    return reflection


@transaction.atomic
def update_reflection(
    *, reflection: Reflection, body: str, topic: str, written_on: date
) -> Reflection:
    reflection.body, reflection.topic, reflection.written_on = body.strip(), topic, written_on
    reflection.full_clean()
    reflection.save()
    return reflection


@transaction.atomic
def delete_reflection(*, reflection: Reflection) -> None:
    reflection.delete()
