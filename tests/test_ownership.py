"""Another user's id answers 404 on every URL that takes one, for GET and POST alike."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from connections.goals import add_goal, add_milestone
from connections.models import ImportJob, PersonValue, Reflection, Relationship
from connections.nudges import schedule_follow_up
from connections.values import add_my_value, add_person_value
from tests.factories import PersonFactory, interaction_with

pytestmark = pytest.mark.django_db

# Which of Bob's objects each URL name takes as <pk>. A new URL with an id must be added here.
OBJECT_FOR_URL = {
    "person_photo": "person",
    "nudge_done": "nudge",
    "nudge_snooze": "nudge",
    "nudge_dismiss": "nudge",
    "person_follow_up": "person",
    "person": "person",
    "person_log": "person",
    "person_value_add": "person",
    "person_value_remove": "person_value",
    "goal_add": "person",
    "goal_status": "goal",
    "milestone_add": "goal",
    "milestone_toggle": "milestone",
    "relationship_add": "person",
    "relationship_delete": "relationship",
    "interaction_edit": "interaction",
    "interaction_delete": "interaction",
    "person_edit": "person",
    "person_archive": "person",
    "person_restore": "person",
    "person_delete": "person",
    "me_value_remove": "value",
    "me_reflection_edit": "reflection",
    "me_reflection_delete": "reflection",
    "import_job": "import_job",
    "import_mapping": "import_job",
    "import_progress": "import_job",
}


def urls_taking_an_id():
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                path = prefix + str(entry.pattern)
                if re.search(r"<int:\w+>", path) and not path.startswith("admin/"):
                    yield entry.name

    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def bobs_objects(other_user):
    person = PersonFactory(owner=other_user, full_name="Bob's sister")
    friend = PersonFactory(owner=other_user, full_name="Bob's friend")
    goal = add_goal(person=person, title="Climb Kilimanjaro")
    return {
        "person": person,
        "nudge": schedule_follow_up(person=person, due_on=timezone.localdate()),
        "person_value": add_person_value(person=person, name="Courage"),
        "goal": goal,
        "milestone": add_milestone(goal=goal, title="Buy boots"),
        "relationship": Relationship.objects.create(
            from_person=friend, to_person=person, kind="friend"
        ),
        "interaction": interaction_with(person),
        "value": add_my_value(owner=other_user, name="Patience"),
        "reflection": Reflection.objects.create(owner=other_user, body="Private thoughts"),
        "import_job": ImportJob.objects.create(
            owner=other_user, uploaded_by=other_user, original_name="bob.vcf"
        ),
    }


def test_every_url_with_an_id_is_checked_here():
    assert urls_taking_an_id() == sorted(OBJECT_FOR_URL)


@pytest.mark.parametrize("name", sorted(OBJECT_FOR_URL))
def test_another_users_id_answers_404(alice_client, bobs_objects, name):
    target = bobs_objects[OBJECT_FOR_URL[name]]
    url = reverse(name, args=[target.pk])
    answers = {
        "GET": alice_client.get(url).status_code,
        "POST": alice_client.post(url, {"days": "1", "status": "achieved"}).status_code,
    }
    # 405 means the method is not offered at all (checked before any lookup): nothing leaks.
    assert set(answers.values()) <= {404, 405}, answers
    assert 404 in answers.values(), answers
    assert PersonValue.objects.filter(pk=bobs_objects["person_value"].pk).exists()
    assert type(target).objects.filter(pk=target.pk).exists()
