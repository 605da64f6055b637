from django.db import migrations


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS nudge_owner_status (mcv) "
            "ON owner_id, status FROM connections_nudge"
        )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS nudge_owner_status")


class Migration(migrations.Migration):
    """How many of one user's nudges are open, for PostgreSQL's planner.

    Users differ wildly (one clears every nudge, another has hundreds of lapsed rhythms open);
    without these statistics PostgreSQL assumes every user is the average and picks plans that
    read all people to count one user's due nudges (see docs/benchmarks.md).
    """

    dependencies = [("connections", "0006_interaction_covering_index")]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
