import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A copy of connections.search.rebuild_sql as it was when this migration was written.
BUILD_ALL = """
    INSERT INTO connections_personsearchdocument (person_id, owner_id, document)
    SELECT p.id, p.owner_id, strip(to_tsvector('simple'::regconfig, COALESCE(
        string_agg(i.what_i_heard || ' ' || i.what_i_shared, ' '), ''
    )))
    FROM connections_person AS p
    LEFT JOIN connections_interaction_people AS l ON l.person_id = p.id
    LEFT JOIN connections_interaction AS i ON i.id = l.interaction_id
    GROUP BY p.id
    ON CONFLICT (person_id) DO UPDATE SET document = EXCLUDED.document
"""


def index_and_build(apps, schema_editor):
    """On PostgreSQL: a GIN index on the documents (with the owner's btree index, PostgreSQL
    combines both for a rare word, and reads the owner's rows for a common one); trigram
    indexes for typing part of a name, organisation or contact (the expressions are those
    `PersonQuerySet.search` renders); then every person's document from their interactions.
    pg_trgm is a trusted extension: the database's owner may create it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_names_trigram ON connections_person USING gin "
        "(upper(full_name || ' ' || nickname || ' ' || organisation) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS contactpoint_value_trigram ON connections_contactpoint "
        "USING gin (upper(value) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_document_gin "
        "ON connections_personsearchdocument USING gin (document)"
    )
    schema_editor.execute(BUILD_ALL)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_names_trigram")
        schema_editor.execute("DROP INDEX IF EXISTS contactpoint_value_trigram")


class Migration(migrations.Migration):
    """People are searched by one document each instead of every interaction's own vector
    (see connections/search.py and docs/benchmarks.md)."""

    dependencies = [
        ("connections", "0007_nudge_owner_status_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonSearchDocument",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="connections.person",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(index_and_build, drop_trigram_indexes),
        migrations.RemoveField(model_name="interaction", name="search_vector"),
    ]
