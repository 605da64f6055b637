import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_owners(apps, schema_editor):
    Goal = apps.get_model("connections", "Goal")
    Milestone = apps.get_model("connections", "Milestone")
    Person = apps.get_model("connections", "Person")
    Goal.objects.update(
        owner=Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("owner_id")[:1])
    )
    Milestone.objects.update(
        owner=Subquery(Goal.objects.filter(pk=OuterRef("goal_id")).values("owner_id")[:1])
    )


def owner_field(null: bool):
    return models.ForeignKey(
        blank=True,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0015_weekly_pick"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="goal", name="owner", field=owner_field(null=True)),
        migrations.AddField(model_name="milestone", name="owner", field=owner_field(null=True)),
        migrations.RunPython(fill_owners, migrations.RunPython.noop),
        migrations.AlterField(model_name="goal", name="owner", field=owner_field(null=False)),
        migrations.AlterField(model_name="milestone", name="owner", field=owner_field(null=False)),
        migrations.AddIndex(
            model_name="goal",
            index=models.Index(fields=["owner", "status", "target_date"], name="goal_owner_dates"),
        ),
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(
                condition=models.Q(("done_on__isnull", True)),
                fields=["owner", "due_on"],
                name="milestone_owner_open_due",
            ),
        ),
    ]
