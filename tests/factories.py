import factory

from accounts.models import User

PASSWORD = "a-long-walk-by-the-river"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    timezone = "Europe/Lisbon"
    password = factory.django.Password(PASSWORD)
