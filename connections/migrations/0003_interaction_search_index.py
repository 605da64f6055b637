from django.db import migrations


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS interaction_search_gin "
            "ON connections_interaction USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS interaction_search_gin")


class Migration(migrations.Migration):
    """Full-text index for interaction search; PostgreSQL only (SQLite falls back to LIKE)."""

    dependencies = [("connections", "0002_people_interactions_values_goals")]

    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
