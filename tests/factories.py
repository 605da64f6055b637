import factory
from django.utils import timezone

from accounts.models import User
from connections.interactions import log_interaction
from connections.models import Circle, ContactPoint, InteractionKind, Person, Value

PASSWORD = "a-long-walk-by-the-river"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    timezone = "Europe/Lisbon"
    password = factory.django.Password(PASSWORD)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    owner = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    circle = Circle.CLOSE


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    person = factory.SubFactory(PersonFactory)
    kind = ContactPoint.Kind.EMAIL
    label = "home"
    value = factory.Sequence(lambda n: f"friend{n}@example.com")


class ValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Value

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"value {n}")


def interaction_with(*people, owner=None, **fields):
    """Log an interaction the way the app does, so `last_interaction_at` stays right."""
    defaults = {
        "kind": InteractionKind.CALL,
        "occurred_at": timezone.now(),
        "what_i_heard": "Talked about the week.",
    }
    return log_interaction(owner=owner or people[0].owner, people=people, **{**defaults, **fields})
