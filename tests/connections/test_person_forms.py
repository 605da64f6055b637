import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from connections.goals import add_goal
from connections.models import Circle, ContactPoint, Interaction, Person, Value
from connections.values import add_my_value, add_person_value
from tests.factories import ContactPointFactory, PersonFactory, interaction_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def form_data(**overrides) -> dict:
    """What the browser posts for a new person: three empty contact rows unless overridden."""
    data = {
        "full_name": "Ana Lima",
        "circle": Circle.CLOSE,
        "contacts-TOTAL_FORMS": "3",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "50",
        "contacts-0-kind": "email",
        "contacts-1-kind": "phone",
        "contacts-2-kind": "website",
    }
    data.update(overrides)
    return data


def test_add_form_offers_the_users_own_values_and_empty_contact_rows(alice_client, user):
    add_my_value(owner=user, name="Honesty")
    response = alice_client.get("/people/new/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Add someone who matters" in page
    assert "Honesty" in page
    assert "Inner circle — every 7 days" in page
    assert page.count('name="contacts-') >= 3 * 4


def test_creating_a_person_saves_contacts_tags_values_and_a_birthday_without_year(
    alice_client, user
):
    honesty = add_my_value(owner=user, name="Honesty")
    add_my_value(owner=user, name="Family")
    response = alice_client.post(
        "/people/new/",
        form_data(
            nickname="Aninha",
            pronouns="she/her",
            birthday_day="29",
            birthday_month="2",
            circle=Circle.INNER,
            preferred_channel="video",
            how_we_met="At the river walk group.",
            organisation="Clínica Lua",
            job_title="Nurse",
            tags="book club, Neighbours, book club",
            shared_values=[str(honesty.pk)],
            other_values="adventure, Faith",
            **{
                "contacts-0-label": "home",
                "contacts-0-value": "ana@example.com",
                "contacts-1-label": "mobile",
                "contacts-1-value": "+351 912 345 678",
                "contacts-2-value": "linkedin.com/in/ana",
            },
        ),
    )
    ana = Person.objects.get(owner=user, full_name="Ana Lima")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{ana.pk}/"
    assert (ana.birthday_day, ana.birthday_month, ana.birthday_year) == (29, 2, None)
    assert ana.cadence_days == 7
    assert not ana.cadence_is_custom
    assert ana.nickname == "Aninha"
    assert ana.preferred_channel == "video"
    assert {tag.name for tag in ana.tags.all()} == {"book club", "Neighbours"}
    assert {(p.kind, p.label, p.value) for p in ana.contact_points.all()} == {
        ("email", "home", "ana@example.com"),
        ("phone", "mobile", "+351 912 345 678"),
        ("website", "", "linkedin.com/in/ana"),
    }
    values = {pv.value.name: pv.value.is_mine for pv in ana.person_values.select_related("value")}
    assert values == {"Honesty": True, "adventure": False, "Faith": False}


def test_a_custom_rhythm_overrides_the_circle(alice_client, user):
    alice_client.post("/people/new/", form_data(circle=Circle.WIDER, custom_cadence="14"))
    ana = Person.objects.get(owner=user)
    assert (ana.cadence_days, ana.cadence_is_custom) == (14, True)


def test_an_impossible_birthday_is_explained_and_nothing_typed_is_lost(alice_client, user):
    response = alice_client.post(
        "/people/new/",
        form_data(
            birthday_day="31",
            birthday_month="4",
            story="Grew up by the sea.",
            tags="climbing",
            **{"contacts-0-value": "ana@example.com", "contacts-1-value": "912 345 678"},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "April has no day 31." in page
    assert "Grew up by the sea." in page
    assert 'value="climbing"' in page
    assert 'value="ana@example.com"' in page
    assert 'value="912 345 678"' in page
    assert not Person.objects.filter(owner=user).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"birthday_day": "12"}, "Choose both the day and the month, or neither."),
        ({"birthday_year": "1985"}, "Choose the day and month too, or clear the year."),
        ({"birthday_day": "1", "birthday_month": "1", "birthday_year": "1850"}, "between 1900"),
        ({"full_name": "  "}, "Enter their name."),
        ({"custom_cadence": "0"}, "Choose between 1 and 730 days."),
    ],
)
def test_invalid_fields_get_a_clear_message(alice_client, user, fields, message):
    response = alice_client.post("/people/new/", form_data(**fields))
    assert message in response.content.decode()
    assert not Person.objects.filter(owner=user).exists()


def test_a_bad_email_in_a_contact_row_is_marked_on_that_row_and_the_rest_is_kept(
    alice_client, user
):
    response = alice_client.post(
        "/people/new/",
        form_data(
            nickname="Aninha",
            **{
                "contacts-0-label": "work",
                "contacts-0-value": "ana at example",
                "contacts-1-value": "+351 912 345 678",
            },
        ),
    )
    page = response.content.decode()
    assert "Enter an email address, like ana@example.com." in page
    assert 'value="ana at example"' in page
    assert 'value="work"' in page
    assert 'value="+351 912 345 678"' in page
    assert 'value="Aninha"' in page
    assert not Person.objects.filter(owner=user).exists()


def test_a_non_image_photo_is_refused_in_words(alice_client, user):
    fake = SimpleUploadedFile("me.png", b"not really a picture", content_type="image/png")
    response = alice_client.post("/people/new/", {**form_data(nickname="Aninha"), "photo": fake})
    page = response.content.decode()
    assert "That file is not a photo Tend can read." in page
    assert 'value="Aninha"' in page
    assert not Person.objects.filter(owner=user).exists()


def test_a_photo_over_5_mb_is_refused(alice_client, user):
    # A real PNG padded past the limit: the size, not the format, is what is wrong.
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * (5 * 1024 * 1024), "image/png")
    response = alice_client.post("/people/new/", {**form_data(), "photo": big})
    assert "Choose a photo under 5 MB." in response.content.decode()
    assert not Person.objects.filter(owner=user).exists()


def test_a_photo_is_saved_and_served_only_to_its_owner(alice_client, client, user, other_user):
    photo = SimpleUploadedFile("ana.png", png_bytes(), content_type="image/png")
    alice_client.post("/people/new/", {**form_data(), "photo": photo})
    ana = Person.objects.get(owner=user)

    response = alice_client.get(f"/people/{ana.pk}/photo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    client.force_login(other_user)
    assert client.get(f"/people/{ana.pk}/photo/").status_code == 404


def test_asking_for_another_contact_row_keeps_everything_and_saves_nothing(alice_client, user):
    response = alice_client.post(
        "/people/new/",
        form_data(full_name="", nickname="Aninha", add_contact="1", **{"contacts-0-value": "x@"}),
    )
    page = response.content.decode()
    assert 'name="contacts-3-value"' in page
    assert 'value="x@"' in page
    assert 'value="Aninha"' in page
    assert "Enter their name." not in page
    assert not Person.objects.filter(owner=user).exists()


def test_edit_shows_what_is_known_and_saves_changes(alice_client, user):
    add_my_value(owner=user, name="Honesty")
    ana = PersonFactory(owner=user, full_name="Ana Lima", circle=Circle.INNER)
    ana.tags.set([])
    home = ContactPointFactory(person=ana, value="ana@example.com", label="home")
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.PHONE, value="912 000 000")
    add_person_value(person=ana, name="honesty", note="Even when it costs her")
    add_person_value(person=ana, name="Faith")

    page = alice_client.get(f"/people/{ana.pk}/edit/").content.decode()
    assert 'value="ana@example.com"' in page
    assert 'value="Faith"' in page
    assert "checked" in page

    phone = ana.contact_points.get(kind="phone")
    response = alice_client.post(
        f"/people/{ana.pk}/edit/",
        {
            "full_name": "Ana Lima Santos",
            "circle": Circle.CLOSE,
            "tags": "family",
            "shared_values": [str(Value.objects.get(name="Honesty").pk)],
            "other_values": "",
            "contacts-TOTAL_FORMS": "3",
            "contacts-INITIAL_FORMS": "2",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "50",
            "contacts-0-id": str(home.pk),
            "contacts-0-kind": "email",
            "contacts-0-label": "work",
            "contacts-0-value": "ana@clinic.example",
            "contacts-1-id": str(phone.pk),
            "contacts-1-kind": "phone",
            "contacts-1-value": "912 000 000",
            "contacts-1-DELETE": "on",
            "contacts-2-kind": "address",
            "contacts-2-value": "Rua das Flores 1, Porto",
        },
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.full_name == "Ana Lima Santos"
    assert ana.cadence_days == 30
    assert [t.name for t in ana.tags.all()] == ["family"]
    assert {(p.pk, p.label, p.value) for p in ana.contact_points.all()} == {
        (home.pk, "work", "ana@clinic.example"),
        (ana.contact_points.get(kind="address").pk, "", "Rua das Flores 1, Porto"),
    }
    (kept,) = ana.person_values.select_related("value")
    assert (kept.value.name, kept.note) == ("Honesty", "Even when it costs her")
    assert not Value.objects.filter(name="Faith").exists()


def test_archive_and_restore_keep_everything(alice_client, user):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    interaction_with(ana)

    response = alice_client.post(f"/people/{ana.pk}/archive/")
    assert response["Location"] == f"/people/{ana.pk}/"
    ana.refresh_from_db()
    assert ana.is_archived
    assert ana.interactions.count() == 1

    alice_client.post(f"/people/{ana.pk}/restore/")
    ana.refresh_from_db()
    assert not ana.is_archived


def test_delete_confirmation_says_what_will_go_then_deletes(alice_client, user):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    ben = PersonFactory(owner=user, full_name="Ben Costa")
    interaction_with(ana)
    interaction_with(ana)
    group = interaction_with(ana, ben)
    add_goal(person=ana, title="Run a half marathon")

    page = alice_client.get(f"/people/{ana.pk}/delete/").content.decode()
    assert "Delete Ana Lima for good?" in page
    assert "2 interactions</strong> you had with only them" in page
    assert "1 goal" in page
    assert "1 interaction was with other people too" in page
    assert Person.objects.filter(pk=ana.pk).exists()

    response = alice_client.post(f"/people/{ana.pk}/delete/")
    assert response["Location"] == "/people/"
    assert not Person.objects.filter(pk=ana.pk).exists()
    assert list(Interaction.objects.filter(owner=user)) == [group]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/people/{pk}/edit/"),
        ("post", "/people/{pk}/edit/"),
        ("post", "/people/{pk}/archive/"),
        ("post", "/people/{pk}/restore/"),
        ("get", "/people/{pk}/delete/"),
        ("post", "/people/{pk}/delete/"),
    ],
)
def test_another_users_person_answers_404(alice_client, other_user, method, path):
    bobs = PersonFactory(owner=other_user, full_name="Bob's friend")
    response = getattr(alice_client, method)(path.format(pk=bobs.pk), form_data())
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.full_name == "Bob's friend"
    assert not bobs.is_archived


def test_edit_form_query_count_does_not_grow_with_contacts_and_values(alice_client, user):
    ana = PersonFactory(owner=user)

    def queries_for_edit_page():
        with CaptureQueriesContext(connection) as captured:
            alice_client.get(f"/people/{ana.pk}/edit/")
        return len(captured)

    add_my_value(owner=user, name="Honesty")
    ContactPointFactory(person=ana)
    few = queries_for_edit_page()
    for n in range(10):
        add_my_value(owner=user, name=f"mine {n}")
        add_person_value(person=ana, name=f"theirs {n}")
        ContactPointFactory(person=ana)
    assert queries_for_edit_page() == few


def test_removing_a_photo_deletes_the_file(alice_client, user, django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("ana.png", png_bytes(), content_type="image/png")
    alice_client.post("/people/new/", {**form_data(), "photo": photo})
    ana = Person.objects.get(owner=user)
    stored = ana.photo.path
    assert "Remove the photo" in alice_client.get(f"/people/{ana.pk}/edit/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/people/{ana.pk}/edit/", form_data(remove_photo="on"))
    ana.refresh_from_db()
    assert not ana.photo
    assert not os.path.exists(stored)
