from django.db import migrations, models

# PostgreSQL only (SQLite has no NULLS FIRST in an index): the weekly three's ten people you
# have not talked to for longest, never-contacted first, read from ten index entries instead
# of sorting all of the owner's people.
LONGEST_APART = (
    "CREATE INDEX person_owner_longest_apart ON connections_person "
    "(owner_id, last_interaction_at ASC NULLS FIRST, full_name)"
)


def create_longest_apart(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LONGEST_APART)


def drop_longest_apart(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_owner_longest_apart")


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0010_milestone_open_due_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="nudge",
            index=models.Index(
                condition=models.Q(
                    ("status", "open"), models.Q(("kind", "cadence"), _negated=True)
                ),
                fields=["owner", "due_on"],
                include=("person", "kind"),
                name="nudge_open_dated",
            ),
        ),
        migrations.RunPython(create_longest_apart, drop_longest_apart),
    ]
