"""What the dashboard reads: who to reach out to today and why, what is coming up, what happened.

Each read is a fixed number of queries, whatever the number of people or interactions.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery, Window
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from accounts.models import User
from connections.dates_ahead import DatesAhead, dates_ahead
from connections.links import reverse_one
from connections.models import (
    ContactPoint,
    Interaction,
    Nudge,
    Person,
    Value,
    next_birthday,
)
from connections.templatetags.tend import absolute, avatar, relative_day, weekday_or_relative

HORIZON_DAYS = 30
REACH_OUT_LIMIT = 6
RECENT_LIMIT = 6
UPCOMING_LIMIT = 47  # seven in view, forty more behind "Show more"


@dataclass(frozen=True)
class Upcoming:
    """A date worth knowing about in the next weeks: a birthday, a goal's target, a milestone,
    with its wording worked out once (`exact` for the title, `month`, `when`)."""

    on: date
    kind: str  # "birthday" | "goal" | "milestone"
    person_pk: int
    full_name: str
    exact: str  # "Friday 25 December 2026"
    month: str  # "Dec"
    when: str  # "today", "on Friday", "in 16 days"
    title: str = ""
    turns: int | None = None
    goal_title: str = ""


def reach_out_today(user, *, now: datetime, limit: int = REACH_OUT_LIMIT) -> list[Person]:
    """The people most past their own rhythm, each with `last_heard` (what they shared last
    time), `reach` (the contact point for their preferred channel) and `overdue_total`.

    Ranked from the covering index alone (who, and how many), then only those shown are read.
    """
    # Someone with a follow-up or a date due today is already at the top of the page, with
    # its reason; a lapsed rhythm alone is what this list is for.
    nudged_today = (
        Nudge.objects.filter(owner=user, status=Nudge.Status.OPEN, due_on__lte=now.date())
        .exclude(kind=Nudge.Kind.CADENCE)
        .values("person_id")
    )
    ranked = list(
        Person.objects.for_user(user)
        .most_overdue_first(now)
        .exclude(id__in=nudged_today)
        .annotate(overdue_total=Window(Count("id")))
        .values_list("id", "overdue_total")[:limit]
    )
    if not ranked:
        return []
    last_heard = (
        Interaction.objects.filter(people=OuterRef("pk"))
        .exclude(what_i_heard="")
        .order_by("-occurred_at", "-id")
        .values("what_i_heard")[:1]
    )
    reachable = ContactPoint.objects.filter(
        kind__in=[ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL]
    )
    found = (
        Person.objects.for_user(user)
        .filter(id__in=[pk for pk, _ in ranked])
        .with_cadence_lag(now)
        .annotate(last_heard=Subquery(last_heard))
        .prefetch_related(Prefetch("contact_points", queryset=reachable))
        .in_bulk()
    )
    people = [found[pk] for pk, _ in ranked]
    for person in people:
        person.reach = first_reach(person)
        person.overdue_total = ranked[0][1]
    return people


def first_reach(person: Person) -> ContactPoint | None:
    """The contact point that suits how they like to be reached (uses prefetched points)."""
    wanted = (
        ContactPoint.Kind.EMAIL
        if person.preferred_channel in ("email", "letter")
        else ContactPoint.Kind.PHONE
    )
    points = list(person.contact_points.all())
    return next((p for p in points if p.kind == wanted), points[0] if points else None)


@dataclass(frozen=True)
class UpcomingDates:
    items: list[Upcoming]  # the soonest `limit`
    total: int  # how many there are in the window

    @property
    def not_shown(self) -> int:
        return self.total - len(self.items)


def upcoming_dates(
    user,
    *,
    today: date,
    days: int = HORIZON_DAYS,
    limit: int = UPCOMING_LIMIT,
    dates: DatesAhead | None = None,
) -> UpcomingDates:
    """Birthdays, goal target dates and milestones from today to `days` ahead, soonest first.

    All of them are counted and sorted as plain tuples (a large address book has hundreds of
    birthdays a month); only the first `limit` are worded, each date once.
    """
    until = today + timedelta(days=days)
    if dates is None or not dates.covers(today, until):
        dates = dates_ahead(user, first=today, last=until)
    order = {"birthday": 0, "goal": 1, "milestone": 2}
    found = []  # (on, kind order, name, person id, Upcoming fields)
    # Rows start with (id, circle, last_interaction_at, full_name, paused).
    for pk, _, _, name, _, day, month, year in dates.birthdays:
        on = next_birthday(day, month, today)
        if on is not None and on <= until:
            turns = on.year - year if year else None
            found.append((on, order["birthday"], name, pk, {"kind": "birthday", "turns": turns}))
    for pk, _, _, name, _, on, title in dates.goals:
        if on <= until:
            found.append((on, order["goal"], name, pk, {"kind": "goal", "title": title}))
    for pk, _, _, name, _, on, title, goal_title, goal_active in dates.milestones:
        if goal_active and on <= until:
            fields = {"kind": "milestone", "title": title, "goal_title": goal_title}
            found.append((on, order["milestone"], name, pk, fields))

    found.sort(key=lambda item: item[:3])
    wording = {}
    items = []
    for on, _, name, pk, fields in found[:limit]:
        if on not in wording:
            wording[on] = {
                "exact": absolute(on),
                "month": date_format(on, "M"),
                "when": weekday_or_relative(on, today),
            }
        items.append(Upcoming(on=on, person_pk=pk, full_name=name, **wording[on], **fields))
    return UpcomingDates(items=items, total=len(found))


def recent_interactions(user, *, limit: int = RECENT_LIMIT) -> list[Interaction]:
    return list(
        Interaction.objects.for_user(user)
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id", "full_name", "nickname"))
        )
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class GettingStarted:
    has_people: bool
    has_my_values: bool


def getting_started(user) -> GettingStarted:
    """Both answers in one query."""
    has_people, has_my_values = (
        User.objects.filter(pk=user.pk)
        .values_list(
            Exists(Person.objects.filter(owner=OuterRef("pk"))),
            Exists(Value.objects.filter(owner=OuterRef("pk"), is_mine=True)),
        )
        .get()
    )
    return GettingStarted(has_people=has_people, has_my_values=has_my_values)


@dataclass(frozen=True)
class NudgeCard:
    """What a due nudge's card shows, worked out once in Python: twelve cards through includes
    and filters cost more than every query of the page together."""

    pk: int
    kind: str  # "Follow up", "Birthday"…
    since: str  # "3 days ago" when it was due before today, else ""
    since_exact: str
    person_pk: int
    full_name: str
    avatar: SafeString
    reason: str
    prefers: str  # "email — mornings are best", or "" without a preferred channel
    done_url: str
    snooze_url: str
    dismiss_url: str


def nudge_cards(nudges: list[Nudge], *, today: date) -> list[NudgeCard]:
    """Cards for nudges read with their person (`first_due_nudges`)."""
    cards = []
    for nudge in nudges:
        person = nudge.person
        late = nudge.due_on < today
        prefers = ""
        if person.preferred_channel:
            prefers = person.get_preferred_channel_display().lower()
            if person.connect_notes:
                prefers += " — " + Truncator(person.connect_notes).chars(70)
        cards.append(
            NudgeCard(
                pk=nudge.pk,
                kind=nudge.get_kind_display(),
                since=relative_day(nudge.due_on, today) if late else "",
                since_exact=absolute(nudge.due_on) if late else "",
                person_pk=person.pk,
                full_name=person.full_name,
                avatar=avatar(person, "md"),
                reason=nudge.reason,
                prefers=prefers,
                done_url=reverse_one("nudge_done", nudge.pk),
                snooze_url=reverse_one("nudge_snooze", nudge.pk),
                dismiss_url=reverse_one("nudge_dismiss", nudge.pk),
            )
        )
    return cards
