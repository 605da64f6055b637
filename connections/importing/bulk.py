"""Many rows into one table at once, for the import: PostgreSQL's COPY, or Django's
bulk_create on other databases.

An import writes tens of thousands of rows; building a model instance per row and an INSERT
of thousands of parameters cost more than the database's own work. Rows here are plain tuples
in the order of the columns named (field names or attnames, e.g. "person_id"), with values
the model already accepts: nothing is validated or converted on the way.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import JSONField, Model


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Sequence[tuple], *, ids: bool = False
) -> list[int]:
    """Insert `rows` into `model`'s table; with `ids`, their new ids, in order. Raises
    DatabaseError when the database refuses any of them (then none is written, as the
    caller's transaction or savepoint rolls back)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        made = model.objects.bulk_create(
            model(**dict(zip(columns, row, strict=True))) for row in rows
        )
        return [obj.pk for obj in made] if ids else []
    fields = [model._meta.get_field(name) for name in columns]
    json_at = [i for i, field in enumerate(fields) if isinstance(field, JSONField)]
    new_ids = _reserve_ids(model, len(rows)) if ids else []
    if ids:
        fields.insert(0, model._meta.pk)
        json_at = [i + 1 for i in json_at]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for n, row in enumerate(rows):
            if ids:
                row = (new_ids[n], *row)
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = fields[i].get_db_prep_save(row[i], connection)
            copy.write_row(row)
    return new_ids


def _reserve_ids(model: type[Model], count: int) -> list[int]:
    """Ids from the table's sequence, one nextval each (never a block another session could
    also take), so rows can be linked to each other before they are inserted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]
