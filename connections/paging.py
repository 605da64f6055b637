"""Pages of lists whose rows must all be found before a page can be cut (a search, a filter
through links): the page and the number of all rows come from one query, a window count
beside each row, so the rows are found once instead of twice. Not for a list an index can
walk in order and stop (one person's timeline): there a count and a LIMIT are cheaper."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def page_with_count(ordered: QuerySet, page_number, per_page: int) -> tuple[Page, list]:
    """The page numbered `page_number` (as Paginator.get_page reads it) of `ordered`, and its
    rows. A page past the end costs a count and the last page again."""
    counted = ordered.annotate(rows_in_all=Window(Count("*")))

    def rows_of(number: int) -> list:
        return list(counted[(number - 1) * per_page : number * per_page]) if number > 0 else []

    number = _requested(page_number)
    rows = rows_of(number)
    count = rows[0].rows_in_all if rows else (ordered.count() if number != 1 else 0)
    # Paginator only needs the count here; a range has a length without a list.
    page = Paginator(range(count), per_page).get_page(number)
    if page.number != number:
        rows = rows_of(page.number)
    return page, rows


def _requested(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 1
