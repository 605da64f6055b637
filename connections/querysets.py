"""Named reads. Every view starts from `for_user`, so scoping is never forgotten."""

from datetime import datetime

from django.db import connection, models
from django.db.models import (
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce


class DaysBetween(Func):
    """Fractional days from the first datetime to the second, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )


class PersonQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(owner=user)

    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_cadence_lag(self, now: datetime):
        """Annotate `cadence_lag`: days since the last contact per cadence day.

        1.0 is exactly due, 2.0 twice the cadence; it orders people by how far past their own
        rhythm they are. People never contacted count from when they were added.
        """
        anchor = Coalesce(F("last_interaction_at"), F("created_at"))
        elapsed = DaysBetween(Value(now, output_field=models.DateTimeField()), anchor)
        return self.annotate(cadence_lag=elapsed / F("cadence_days"))

    def overdue(self, now: datetime):
        return (
            self.active()
            .filter(paused=False, cadence_days__isnull=False)
            .with_cadence_lag(now)
            .filter(cadence_lag__gt=1.0)
        )

    def most_overdue_first(self, now: datetime):
        return self.overdue(now).order_by("-cadence_lag", "full_name")

    def in_circle(self, circle: str):
        return self.filter(circle=circle)

    # The owner condition lets PostgreSQL find the owner's one tag or value by name first,
    # instead of everyone's of that name and then their people.
    def tagged(self, tag_name: str):
        return self.filter(tags__owner=F("owner"), tags__name__iexact=tag_name)

    def holding_value(self, value_name: str):
        return self.filter(values__owner=F("owner"), values__name__iexact=value_name)

    def with_shared_value_count(self):
        """Annotate `shared_value_count`: values they hold that the user holds too.

        A subquery rather than a join and GROUP BY, so a page of 50 people counts for 50 and
        not for everyone the list was sorted from.
        """
        from connections.models import PersonValue

        shared = (
            PersonValue.objects.filter(person=OuterRef("pk"), value__is_mine=True)
            .order_by()
            .values("person")
            .annotate(count=Count("*"))
            .values("count")
        )
        return self.annotate(
            shared_value_count=Coalesce(Subquery(shared, output_field=IntegerField()), 0)
        )

    def search(self, text: str, *, user):
        """The user's people matching a word in their name, contacts, work, tags, or what was
        said in an interaction with them."""
        text = text.strip()
        if not text:
            return self
        from connections.models import Interaction

        matches = (
            Q(full_name__icontains=text)
            | Q(nickname__icontains=text)
            | Q(organisation__icontains=text)
            | Q(contact_points__value__icontains=text)
            | Q(tags__name__icontains=text)
        )
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            matches |= Q(contact_points__normalized__contains=digits)
        interactions = Interaction.objects.for_user(user).matching(text).values("people")
        people_ids = self.filter(matches).values("id")
        return self.filter(Q(id__in=people_ids) | Q(id__in=interactions))


class InteractionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(owner=user)

    def matching(self, text: str):
        """Full-text search on PostgreSQL; a case-insensitive contains on other databases."""
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            query = SearchQuery(text, config="simple", search_type="websearch")
            return self.filter(search_vector=query)
        return self.filter(Q(what_i_heard__icontains=text) | Q(what_i_shared__icontains=text))

    def with_people(self):
        return self.prefetch_related("people", "topics")
