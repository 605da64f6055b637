"""Named reads. Every view starts from `for_user`, so scoping is never forgotten."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import models
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

    # date_part, not EXTRACT: EXTRACT returns numeric since PostgreSQL 14, and numeric
    # arithmetic over every person doubled the cost of the rhythm scans.
    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="date_part('epoch', %(expressions)s) / 86400.0",
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


class Bucket(Func):
    """Which of consecutive periods a value falls in, given their ends in ascending order: 0
    before the first end, 1 before the second, and so on (NULL past the last).

    One CASE written directly: as 26 `When` expressions it cost Django more to build and
    compile (2 ms) than PostgreSQL to run over a half-year of interactions.
    """

    output_field = IntegerField()

    def __init__(self, expression, ends: list, **extra):
        super().__init__(expression, **extra)
        self.ends = list(ends)

    def as_sql(self, compiler, connection, **extra):
        (value,) = self.source_expressions
        value_sql, value_params = compiler.compile(value)
        whens, params = [], []
        for index, end in enumerate(self.ends):
            end_sql, end_params = compiler.compile(Value(end, output_field=value.output_field))
            whens.append(f"WHEN {value_sql} < {end_sql} THEN {index}")
            params += [*value_params, *end_params]
        return f"CASE {' '.join(whens)} END", params


class NamesText(Func):
    """Name, nickname and organisation as one text, for one LIKE and one trigram index.

    Migration 0008 indexes `upper(full_name || ' ' || nickname || ' ' || organisation)` on
    PostgreSQL; `icontains` on this expression renders exactly that, so the index is used.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self, **extra):
        super().__init__(F("full_name"), F("nickname"), F("organisation"), **extra)


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

    def birthday_between(self, first: date, last: date):
        """People whose birthday (day and month) falls on a date from `first` to `last`; a 29
        February birthday falls on the 28th in other years. Filters in SQL, so only they load."""
        days_by_month: dict[int, set[int]] = defaultdict(set)
        day = first
        while day <= last:
            days_by_month[day.month].add(day.day)
            if (day.month, day.day) == (2, 28) and (day + timedelta(days=1)).month == 3:
                days_by_month[2].add(29)
            day += timedelta(days=1)
        matches = Q(pk__in=[])
        for month, days in days_by_month.items():
            matches |= Q(birthday_month=month, birthday_day__in=sorted(days))
        return self.filter(matches)

    def in_circle(self, circle: str):
        return self.filter(circle=circle)

    # Through the owner's one tag or value of that name (found first) to the people linked to
    # it: a subquery of link rows, so it neither joins people again nor narrows the join that
    # counts shared values.
    def tagged(self, tag_name: str, *, user):
        from connections.models import Person

        links = Person.tags.through.objects.filter(tag__owner=user, tag__name__iexact=tag_name)
        return self.filter(id__in=links.values("person_id"))

    def holding_value(self, value_name: str, *, user):
        from connections.models import PersonValue

        links = PersonValue.objects.filter(value__owner=user, value__name__iexact=value_name)
        return self.filter(id__in=links.values("person_id"))

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
        said in an interaction with them.

        Each kind of match is its own small subquery of the user's rows (no joins across
        contact points and tags of everyone), so a common word stays cheap.
        """
        text = text.strip()
        if not text:
            return self
        from connections.models import ContactPoint, Person
        from connections.search import people_heard_about

        contacts = Q(value__icontains=text)
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            contacts |= Q(normalized__contains=digits)
        by_name = (
            Person.objects.for_user(user)
            .alias(names_text=NamesText())
            .filter(names_text__icontains=text)
            .values("id")
        )
        by_contact = ContactPoint.objects.filter(contacts, person__owner=user).values("person_id")
        by_tag = Person.tags.through.objects.filter(
            tag__owner=user, tag__name__icontains=text
        ).values("person_id")
        matched = by_name.union(by_contact, by_tag, people_heard_about(user, text))
        return self.filter(id__in=matched)


class InteractionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(owner=user)

    def with_people(self):
        return self.prefetch_related("people", "topics")
