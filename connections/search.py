"""Finding people by what was said with them.

On PostgreSQL each person has one full-text document of everything heard and shared in their
interactions (`PersonSearchDocument`), positions stripped: a common word then costs one row per
person who has it, not one per interaction (see docs/benchmarks.md). Logging appends the new
words; editing, deleting or moving interactions rebuilds the documents of the people touched.
SQLite has no full-text type, so there the search reads the interactions themselves with LIKE.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from connections.models import Interaction, Person, PersonSearchDocument

CONFIG = "simple"

_DOCUMENT = PersonSearchDocument._meta.db_table
_PERSON = Person._meta.db_table
_INTERACTION = Interaction._meta.db_table
_LINK = Interaction.people.through._meta.db_table


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def add_words(people_ids: Iterable[int], text: str) -> None:
    """Add the words of a new interaction to its people's documents."""
    people_ids = list(people_ids)
    if not _postgresql() or not people_ids or not text.strip():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_DOCUMENT} (person_id, owner_id, document)
            SELECT id, owner_id, strip(to_tsvector(%s::regconfig, %s)) FROM {_PERSON}
            WHERE id = ANY(%s)
            ON CONFLICT (person_id)
            DO UPDATE SET document = strip({_DOCUMENT}.document || EXCLUDED.document)
            """,
            [CONFIG, text, people_ids],
        )


def rebuild_documents(people_ids: Iterable[int]) -> None:
    """Rebuild the documents of these people from their interactions as they are now."""
    people_ids = list(people_ids)
    if not _postgresql() or not people_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(rebuild_sql("p.id = ANY(%s)"), [people_ids])


def rebuild_sql(which_people: str) -> str:
    """The statement that rebuilds the documents of the people matched by `which_people`
    (a condition on `p`, the person table); also used to build them in bulk."""
    return f"""
        INSERT INTO {_DOCUMENT} (person_id, owner_id, document)
        SELECT p.id, p.owner_id, strip(to_tsvector('{CONFIG}'::regconfig, COALESCE(
            string_agg(i.what_i_heard || ' ' || i.what_i_shared, ' '), ''
        )))
        FROM {_PERSON} AS p
        LEFT JOIN {_LINK} AS l ON l.person_id = p.id
        LEFT JOIN {_INTERACTION} AS i ON i.id = l.interaction_id
        WHERE {which_people}
        GROUP BY p.id
        ON CONFLICT (person_id) DO UPDATE SET document = EXCLUDED.document
    """


def people_heard_about(user, text: str) -> QuerySet:
    """Ids of the user's people with `text` in something heard or shared with them."""
    if _postgresql():
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return PersonSearchDocument.objects.filter(owner=user, document=query).values("person_id")
    return (
        Interaction.objects.for_user(user)
        .filter(Q(what_i_heard__icontains=text) | Q(what_i_shared__icontains=text))
        .values("people")
    )
