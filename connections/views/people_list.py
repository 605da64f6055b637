"""The people list: search as you type, filters, sorts, pages, and bulk changes."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from connections.models import Circle, Person, Tag, Value
from connections.paging import page_with_count
from connections.people import bulk_archive, bulk_restore, bulk_set_circle, bulk_tag
from connections.people_list import ROW_FIELDS, person_rows
from connections.widgets import OnePassSelect

PER_PAGE = 50

SHOW_CHOICES = [
    ("active", "Active"),
    ("overdue", "Overdue"),
    ("paused", "Paused"),
    ("archived", "Archived"),
]
# Left out of links so the plain /people/ URL stays the default view.
DEFAULTS = {("show", "active"), ("sort", "name")}
SORT_CHOICES = [
    ("name", "Name"),
    ("recent", "Last interaction"),
    ("overdue", "Most overdue"),
]


class PeopleFilterForm(forms.Form):
    """What the list is narrowed to; unknown values fall back to the defaults, never an error."""

    q = forms.CharField(label="Search people", required=False, max_length=200)
    circle = forms.ChoiceField(
        label="Circle",
        required=False,
        choices=[("", "All circles"), *Circle.choices],
        widget=OnePassSelect,
    )
    tag = forms.ChoiceField(label="Tag", required=False, widget=OnePassSelect)
    value = forms.ChoiceField(label="Value", required=False, widget=OnePassSelect)
    show = forms.ChoiceField(
        label="Show", required=False, choices=SHOW_CHOICES, widget=OnePassSelect
    )
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=SORT_CHOICES, widget=OnePassSelect
    )

    def __init__(self, data, *, tags: list[Tag], values: list[Value]):
        super().__init__(data)
        self.fields["tag"].choices = [("", "Any tag")] + [(t.name, t.name) for t in tags]
        self.fields["value"].choices = [("", "Any value")] + [
            (v.name, f"{v.name} (yours too)" if v.is_mine else v.name) for v in values
        ]

    def filters(self) -> dict[str, str]:
        self.is_valid()
        chosen = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        chosen["q"] = chosen["q"].strip()
        chosen["show"] = chosen["show"] or "active"
        chosen["sort"] = chosen["sort"] or "name"
        return chosen


def _filtered_people(user, filters: dict[str, str], now):
    people = Person.objects.for_user(user)
    if filters["show"] == "archived":
        people = people.archived()
    elif filters["show"] == "overdue":
        people = people.overdue(now)
    elif filters["show"] == "paused":
        people = people.active().filter(paused=True)
    else:
        people = people.active()
    if filters["circle"]:
        people = people.in_circle(filters["circle"])
    if filters["tag"]:
        people = people.tagged(filters["tag"], user=user)
    if filters["value"]:
        people = people.holding_value(filters["value"], user=user)
    if filters["q"]:
        people = people.search(filters["q"], user=user)
    return people


def _ordered(people, sort: str, now, *, shared_values: bool = True):
    people = people.with_cadence_lag(now)
    if shared_values:
        people = people.with_shared_value_count()
    if sort == "recent":
        return people.order_by(F("last_interaction_at").desc(nulls_last=True), "full_name", "id")
    if sort == "overdue":
        # Relative to each person's own cadence; paused people and those without a rhythm last.
        return people.order_by("paused", F("cadence_lag").desc(nulls_last=True), "full_name", "id")
    return people.order_by("full_name", "id")


def _page_rows(people):
    return people.only(*ROW_FIELDS)


def _list_page(people, sort: str, now, page_number):
    """Everyone, or a circle or state of them: the count, then the page read in index order."""
    paginator = Paginator(people, PER_PAGE)
    page = paginator.get_page(page_number)
    if not paginator.count:
        return page, []
    ordered = _page_rows(_ordered(people, sort, now))
    return page, list(ordered[page.start_index() - 1 : page.end_index()])


def _matched_page(user, people, sort: str, now, page_number):
    """A search, tag or value: the page's people in order with the number of all matches,
    found once (see connections/paging.py), then only the page's people are read."""
    ranked = _ordered(people, sort, now, shared_values=False).only("id")
    page, found = page_with_count(ranked, page_number, PER_PAGE)
    if not found:
        return page, []
    shown = Person.objects.for_user(user).filter(id__in=[person.pk for person in found])
    return page, list(_page_rows(_ordered(shown, sort, now)))


def _list_context(request, query: QueryDict, **extra) -> dict:
    user = request.user
    now = timezone.now()
    tags = list(Tag.objects.filter(owner=user))
    values = list(Value.objects.filter(owner=user))
    form = PeopleFilterForm(query, tags=tags, values=values)
    filters = form.filters()

    people = _filtered_people(user, filters, now)
    if filters["q"] or filters["tag"] or filters["value"]:
        page, rows = _matched_page(user, people, filters["sort"], now, query.get("page"))
    else:
        page, rows = _list_page(people, filters["sort"], now, query.get("page"))
    paginator = page.paginator
    beyond_search = any(filters[name] for name in ("circle", "tag", "value")) or (
        filters["show"] != "active"
    )

    kept = {k: v for k, v in filters.items() if v and (k, v) not in DEFAULTS}
    query_string = urlencode(kept)
    return {
        "form": form,
        "filters": filters,
        "people": person_rows(rows, today=timezone.localdate()),
        "page": page,
        "paginator": paginator,
        "narrowed": beyond_search or bool(filters["q"]),
        "narrowed_beyond_search": beyond_search,
        "has_anyone": bool(rows) or Person.objects.for_user(user).exists(),
        "query_string": query_string,
        "return_query": urlencode({**kept, "page": page.number} if page.number > 1 else kept),
        "circles": Circle.choices,
        "partial": _is_partial(request),
        "selected": set(),
        "bulk_tag_name": "",
        **extra,
    }


def _is_partial(request) -> bool:
    htmx: HtmxDetails = request.htmx
    # A history restore needs the whole page, even though htmx asked for it.
    return bool(htmx) and not htmx.history_restore_request


@require_GET
def people(request):
    context = _list_context(request, request.GET)
    if not _is_partial(request):
        response = render(request, "connections/people_list.html", context)
    else:
        response = render(request, "connections/people_list.html#results", context)
        # The address bar shows only what narrows the list, not every empty field.
        page = context["page"].number
        kept = context["query_string"] + (f"&page={page}" if page > 1 else "")
        push_url(response, f"{reverse('people')}?{kept.lstrip('&')}" if kept else reverse("people"))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _people_phrase(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


@require_POST
def people_bulk(request):
    """Tag, move or archive the people ticked in the list; ids of anyone else's people are
    ignored by the domain functions."""
    ids = [int(raw) for raw in request.POST.getlist("people") if raw.isdigit()]
    action = request.POST.get("action", "")
    tag_name = " ".join(request.POST.get("tag_name", "").split())
    done = False
    if not ids:
        messages.error(request, "Tick at least one person first.")
    elif action == "tag":
        if not tag_name:
            messages.error(request, "Type the tag to add, then choose Add tag.")
        else:
            count = bulk_tag(owner=request.user, people_ids=ids, tag_name=tag_name)
            messages.success(request, f"Tagged {_people_phrase(count)} “{tag_name}”.")
            done = True
    elif action == "circle":
        circle = request.POST.get("circle", "")
        if circle not in Circle.values:
            messages.error(request, "Choose a circle to move them to.")
        else:
            count = bulk_set_circle(owner=request.user, people_ids=ids, circle=circle)
            label = Circle(circle).label
            messages.success(request, f"Moved {_people_phrase(count)} to {label}.")
            done = True
    elif action == "archive":
        count = bulk_archive(owner=request.user, people_ids=ids)
        messages.success(
            request,
            f"Archived {_people_phrase(count)}. You can find them under Show: Archived.",
        )
        done = True
    elif action == "restore":
        count = bulk_restore(owner=request.user, people_ids=ids)
        messages.success(request, f"Restored {_people_phrase(count)} to your active list.")
        done = True
    else:
        messages.error(request, "Choose what to do with the people you ticked.")

    back = QueryDict(request.POST.get("return_query", ""))
    if _is_partial(request):
        # A mistake keeps the ticks and the typed tag; success starts afresh.
        kept = {} if done else {"selected": set(ids), "bulk_tag_name": tag_name}
        response = render(
            request, "connections/people_list.html#results", _list_context(request, back, **kept)
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    url = reverse("people")
    return redirect(f"{url}?{back.urlencode()}" if back else url)
