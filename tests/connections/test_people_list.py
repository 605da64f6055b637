import re
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Circle, ContactPoint, Person
from connections.people import archive_person, create_person
from connections.values import add_my_value, add_person_value
from tests.factories import ContactPointFactory, PersonFactory, interaction_with

pytestmark = pytest.mark.django_db

URL = "/people/"
BULK_URL = "/people/bulk/"


def names_in(response) -> list[str]:
    """The people listed, in the order shown."""
    return re.findall(r'<a href="/people/\d+/">([^<]*)</a>', response.content.decode())


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def ana(user):
    ana = create_person(
        owner=user,
        full_name="Ana Lima",
        nickname="Nana",
        organisation="Harbour Clinic",
        circle=Circle.INNER,
        tag_names=["family"],
    )
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.EMAIL, value="ana@lima.example")
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.PHONE, value="+351 912 345 678")
    interaction_with(ana, what_i_heard="She is nervous about the marathon in spring.")
    return ana


@pytest.fixture
def ben(user):
    return create_person(owner=user, full_name="Ben Okafor", circle=Circle.WIDER)


# --- what is listed -------------------------------------------------------------------------


def test_a_new_account_is_taught_to_add_or_import_people(alice_client):
    response = alice_client.get(URL)

    assert response.status_code == 200
    assert "Start with the people who matter" in response.text
    assert 'href="/people/new/"' in response.text
    assert "Import contacts" in response.text
    assert "data-search" not in response.text


def test_lists_my_active_people_by_name_and_nobody_elses(alice_client, user, other_user, ana, ben):
    PersonFactory(owner=other_user, full_name="Bob's Secret Friend")
    archive_person(person=PersonFactory(owner=user, full_name="Carla Archived"))

    response = alice_client.get(URL)

    assert names_in(response) == ["Ana Lima", "Ben Okafor"]
    assert "2 people" in response.text


def test_each_row_shows_circle_last_contact_markers_shared_values_and_tags(alice_client, user, ana):
    for name in ["honesty", "curiosity"]:
        add_my_value(owner=user, name=name)
        add_person_value(person=ana, name=name)
    add_person_value(person=ana, name="tidiness")
    long_ago = PersonFactory(owner=user, full_name="Dee Distant", circle=Circle.INNER)
    interaction_with(long_ago, occurred_at=days_ago(12))
    PersonFactory(owner=user, full_name="Pat Paused", paused=True)

    page = alice_client.get(URL).text

    assert f'href="/people/{ana.pk}/"' in page
    assert "Inner circle" in page
    assert "Harbour Clinic" in page
    assert '<li class="chip">family</li>' in page
    assert "2 shared values" in page
    assert re.search(r'title="[A-Za-z]+day \d+ \w+ \d{4}, \d\d:\d\d">12 days ago</time>', page)
    assert re.search(r'title="1.7× their usual rhythm">.*</span> overdue</span>', page)
    assert "Paused" in page
    assert 'aria-describedby="people-search-help"' in page
    assert re.search(r'<label for="id_q">Search people</label>', page)
    assert "data-search" in page


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    ["ana lima", "Nana", "ANA@LIMA", "912 345", "912345678", "harbour", "famil", "marathon"],
    ids=["name", "nickname", "email", "phone", "phone-digits", "organisation", "tag", "said"],
)
def test_search_finds_people_by_what_i_remember(alice_client, ana, ben, words):
    response = alice_client.get(URL, {"q": words})

    assert names_in(response) == ["Ana Lima"]
    assert "1 person matching" in response.text


def test_search_never_looks_into_another_users_interactions(alice_client, user, other_user, ana):
    theirs = PersonFactory(owner=other_user, full_name="Zed Hidden")
    interaction_with(theirs, what_i_heard="marathon training is going well")

    response = alice_client.get(URL, {"q": "marathon"})

    assert names_in(response) == ["Ana Lima"]


def test_search_with_no_match_says_so_and_offers_a_way_back(alice_client, ana):
    response = alice_client.get(URL, {"q": "zeppelin"})

    assert names_in(response) == []
    assert "No one matches “zeppelin”" in response.text
    assert "Clear search and filters" in response.text


def test_search_as_you_type_answers_htmx_with_only_the_results(alice_client, ana, ben):
    response = alice_client.get(URL, {"q": "ben"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert names_in(response) == ["Ben Okafor"]
    assert 'id="people-status" hx-swap-oob="innerHTML">1 person matching “ben”' in response.text
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(alice_client, ana):
    response = alice_client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.text


def test_the_search_box_searches_as_you_type_and_keeps_the_url(alice_client, ana):
    page = alice_client.get(URL, {"q": "ana"}).text

    assert 'hx-trigger="input changed delay:250ms, search"' in page
    assert 'hx-push-url="true"' in page
    assert 'value="ana" data-search' in page


# --- filters --------------------------------------------------------------------------------


def test_filter_by_circle(alice_client, ana, ben):
    assert names_in(alice_client.get(URL, {"circle": "wider"})) == ["Ben Okafor"]


def test_filter_by_tag(alice_client, ana, ben):
    assert names_in(alice_client.get(URL, {"tag": "family"})) == ["Ana Lima"]


def test_filter_by_value_still_counts_every_shared_value(alice_client, user, ana, ben):
    add_my_value(owner=user, name="honesty")
    add_my_value(owner=user, name="music")
    add_person_value(person=ana, name="honesty")
    add_person_value(person=ana, name="music")

    response = alice_client.get(URL, {"value": "honesty"})

    assert names_in(response) == ["Ana Lima"]
    assert "2 shared values" in response.text


def test_filter_overdue_shows_only_people_past_their_rhythm(alice_client, user, ana, ben):
    late = create_person(owner=user, full_name="Lena Late", circle=Circle.INNER)
    interaction_with(late, occurred_at=days_ago(9))

    assert names_in(alice_client.get(URL, {"show": "overdue"})) == ["Lena Late"]


def test_filter_paused(alice_client, user, ana):
    PersonFactory(owner=user, full_name="Pat Paused", paused=True)

    assert names_in(alice_client.get(URL, {"show": "paused"})) == ["Pat Paused"]


def test_filter_archived(alice_client, user, ana):
    archive_person(person=PersonFactory(owner=user, full_name="Carla Archived"))

    response = alice_client.get(URL, {"show": "archived"})

    assert names_in(response) == ["Carla Archived"]
    assert "Archived</span>" in response.text


def test_filters_combine_with_search(alice_client, user, ana):
    create_person(owner=user, full_name="Ana Other", circle=Circle.WIDER)

    assert names_in(alice_client.get(URL, {"q": "ana", "circle": "inner"})) == ["Ana Lima"]


def test_unknown_filter_values_fall_back_to_everyone_active(alice_client, ana, ben):
    response = alice_client.get(URL, {"circle": "nope", "show": "x", "sort": "y", "page": "z"})

    assert names_in(response) == ["Ana Lima", "Ben Okafor"]


def test_empty_filter_result_explains_itself(alice_client, ana):
    response = alice_client.get(URL, {"show": "paused"})

    assert "No one is paused" in response.text


# --- sorting --------------------------------------------------------------------------------


@pytest.fixture
def three_rhythms(user):
    # Inner (7 days) seen 10 days ago: 1.4x. Close (30) seen 60 days ago: 2x.
    # Wider (90) seen 2 days ago: well within. Acquaintance: no rhythm at all.
    for name, circle, ago in [
        ("Ivy Inner", Circle.INNER, 10),
        ("Carl Close", Circle.CLOSE, 60),
        ("Wes Wider", Circle.WIDER, 2),
        ("Abe Acquaintance", Circle.ACQUAINTANCE, 30),
    ]:
        interaction_with(
            create_person(owner=user, full_name=name, circle=circle), occurred_at=days_ago(ago)
        )


def test_sort_by_name(alice_client, three_rhythms):
    assert names_in(alice_client.get(URL, {"sort": "name"})) == [
        "Abe Acquaintance",
        "Carl Close",
        "Ivy Inner",
        "Wes Wider",
    ]


def test_sort_by_last_interaction_puts_the_most_recent_first(alice_client, user, three_rhythms):
    create_person(owner=user, full_name="Nina Never")

    assert names_in(alice_client.get(URL, {"sort": "recent"})) == [
        "Wes Wider",
        "Ivy Inner",
        "Abe Acquaintance",
        "Carl Close",
        "Nina Never",
    ]


def test_sort_most_overdue_is_relative_to_each_cadence(alice_client, three_rhythms):
    assert names_in(alice_client.get(URL, {"sort": "overdue"})) == [
        "Carl Close",
        "Ivy Inner",
        "Wes Wider",
        "Abe Acquaintance",
    ]


# --- pagination -----------------------------------------------------------------------------


def test_pages_of_fifty_with_counts_and_links_that_keep_the_filters(alice_client, user):
    for n in range(53):
        create_person(owner=user, full_name=f"Person {n:02d}", circle=Circle.WIDER)

    first = alice_client.get(URL, {"circle": "wider"})
    second = alice_client.get(URL, {"circle": "wider", "page": 2})

    assert len(names_in(first)) == 50
    assert "Showing 1–50 of 53" in first.text
    assert 'href="?circle=wider&amp;page=2"' in first.text
    assert names_in(second) == ["Person 50", "Person 51", "Person 52"]
    assert "Showing 51–53 of 53" in second.text
    assert 'name="return_query" value="circle=wider&amp;page=2"' in second.text


def test_search_results_page_in_the_chosen_order_with_the_right_count(alice_client, user):
    for n in range(53):
        create_person(owner=user, full_name=f"Reader {n:02d}")
    create_person(owner=user, full_name="Someone Else")

    first = alice_client.get(URL, {"q": "reader", "sort": "name"})
    second = alice_client.get(URL, {"q": "reader", "page": 2})
    beyond = alice_client.get(URL, {"q": "reader", "page": 9})

    assert names_in(first) == [f"Reader {n:02d}" for n in range(50)]
    assert "Showing 1–50 of 53" in first.text
    assert names_in(second) == ["Reader 50", "Reader 51", "Reader 52"]
    assert "Showing 51–53 of 53" in second.text
    assert names_in(beyond) == names_in(second)


@pytest.mark.parametrize("narrowing", ["tag", "value"])
def test_tag_and_value_filters_page_with_the_right_count(alice_client, user, narrowing):
    for n in range(53):
        person = create_person(owner=user, full_name=f"Singer {n:02d}", tag_names=["choir"])
        add_person_value(person=person, name="music")
    create_person(owner=user, full_name="Someone Else")
    wanted = {"tag": "choir", "value": "music"}[narrowing]

    first = alice_client.get(URL, {narrowing: wanted})
    second = alice_client.get(URL, {narrowing: wanted, "page": 2})
    beyond = alice_client.get(URL, {narrowing: wanted, "page": 9})
    not_a_number = alice_client.get(URL, {narrowing: wanted, "page": "two"})

    assert names_in(first) == [f"Singer {n:02d}" for n in range(50)]
    assert "Showing 1–50 of 53" in first.text
    assert f'href="?{narrowing}={wanted}&amp;page=2"' in first.text
    assert names_in(second) == ["Singer 50", "Singer 51", "Singer 52"]
    assert "Showing 51–53 of 53" in second.text
    assert names_in(beyond) == names_in(second)
    assert names_in(not_a_number) == names_in(first)


def test_a_tag_or_value_of_the_same_name_elsewhere_brings_no_one_else(
    alice_client, user, other_user, ana
):
    theirs = create_person(owner=other_user, full_name="Zed Hidden", tag_names=["family"])
    add_person_value(person=theirs, name="honesty")
    add_person_value(person=ana, name="honesty")

    assert names_in(alice_client.get(URL, {"tag": "family"})) == ["Ana Lima"]
    assert names_in(alice_client.get(URL, {"value": "honesty"})) == ["Ana Lima"]


# --- bulk actions ---------------------------------------------------------------------------


def test_bulk_add_tag_without_javascript_returns_to_the_same_list(alice_client, user, ana, ben):
    response = alice_client.post(
        BULK_URL,
        {
            "people": [ana.pk, ben.pk],
            "action": "tag",
            "tag_name": " book  club ",
            "return_query": "circle=inner",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/people/?circle=inner", 302)]
    assert "Tagged 2 people “book club”." in response.text
    assert set(Person.objects.filter(tags__name="book club")) == {ana, ben}


def test_bulk_set_circle(alice_client, ana, ben):
    response = alice_client.post(
        BULK_URL, {"people": [ben.pk], "action": "circle", "circle": "inner"}, follow=True
    )

    ben.refresh_from_db()
    assert ben.circle == Circle.INNER
    assert ben.cadence_days == 7
    assert "Moved 1 person to Inner circle." in response.text


def test_bulk_archive_confirms_in_place_for_htmx(alice_client, ana, ben):
    response = alice_client.post(
        BULK_URL, {"people": [ana.pk], "action": "archive"}, headers={"HX-Request": "true"}
    )

    assert "<html" not in response.text
    assert "Archived 1 person." in response.text
    assert 'id="messages" hx-swap-oob="innerHTML"' in response.text
    assert names_in(response) == ["Ben Okafor"]
    ana.refresh_from_db()
    assert ana.is_archived


def test_bulk_actions_ignore_another_users_people(alice_client, user, other_user, ana):
    theirs = PersonFactory(owner=other_user, full_name="Not Yours", circle=Circle.WIDER)

    alice_client.post(BULK_URL, {"people": [ana.pk, theirs.pk], "action": "archive"})
    alice_client.post(BULK_URL, {"people": [theirs.pk], "action": "circle", "circle": "inner"})
    response = alice_client.post(
        BULK_URL, {"people": [theirs.pk], "action": "tag", "tag_name": "mine"}, follow=True
    )

    theirs.refresh_from_db()
    assert theirs.archived_at is None
    assert theirs.circle == Circle.WIDER
    assert not theirs.tags.exists()
    assert "Tagged 0 people" in response.text
    ana.refresh_from_db()
    assert ana.is_archived


def test_bulk_mistakes_are_explained_and_keep_the_ticks(alice_client, ana, ben):
    response = alice_client.post(
        BULK_URL,
        {"people": [ben.pk], "action": "tag", "tag_name": "  "},
        headers={"HX-Request": "true"},
    )

    assert "Type the tag to add" in response.text
    assert f'value="{ben.pk}" checked' in response.text
    assert f'value="{ana.pk}" checked' not in response.text

    nobody = alice_client.post(BULK_URL, {"action": "archive"}, follow=True)
    assert "Tick at least one person first." in nobody.text


def test_bulk_needs_a_post(alice_client):
    assert alice_client.get(BULK_URL).status_code == 405


def test_the_list_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- escaping -------------------------------------------------------------------------------


def test_what_people_typed_is_shown_as_text(alice_client, user):
    create_person(
        owner=user,
        full_name="<script>alert(1)</script>",
        nickname='"><img src=x onerror=alert(2)>',
        tag_names=["<b>bold</b>"],
    )

    listed = alice_client.get(URL).text
    searched = alice_client.get(URL, {"q": "<i>nobody</i>"}).text

    assert "<script>alert(1)</script>" not in listed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed
    assert "<img src=x" not in listed
    assert "&lt;b&gt;bold&lt;/b&gt;" in listed
    assert "<i>nobody</i>" not in searched
    assert "No one matches “&lt;i&gt;nobody&lt;/i&gt;”" in searched


# --- query count ----------------------------------------------------------------------------


def make_people(user, count: int):
    add_my_value(owner=user, name="kindness")
    add_my_value(owner=user, name="curiosity")
    for n in range(count):
        person = create_person(
            owner=user,
            full_name=f"Friend {n:02d}",
            circle=[Circle.INNER, Circle.CLOSE, Circle.WIDER][n % 3],
            tag_names=["friends", f"group {n % 4}"],
            paused=n % 7 == 0,
        )
        ContactPointFactory(person=person)
        add_person_value(person=person, name="kindness")
        add_person_value(person=person, name=f"value {n % 5}")
        interaction_with(person, occurred_at=days_ago(n % 40), what_i_heard=f"Chat {n}")


# session, user, tags, values, count, page of people, their tags.
LIST_QUERIES = 7


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_stays_constant_as_people_grow(
    alice_client, user, count, django_assert_num_queries
):
    make_people(user, count)

    with django_assert_num_queries(LIST_QUERIES):
        response = alice_client.get(URL, {"sort": "overdue"})

    assert len(names_in(response)) == count


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_stays_constant_when_searching(
    alice_client, user, count, django_assert_num_queries
):
    make_people(user, count)

    with django_assert_num_queries(LIST_QUERIES):
        response = alice_client.get(
            URL, {"q": "friend", "tag": "friends"}, headers={"HX-Request": "true"}
        )

    assert len(names_in(response)) == count


def test_bulk_restore_brings_archived_people_back(alice_client, user, other_user, ana):
    archive_person(person=ana)
    theirs = archive_person(person=PersonFactory(owner=other_user))

    archived_page = alice_client.get(URL, {"show": "archived"}).text
    response = alice_client.post(
        BULK_URL,
        {"people": [ana.pk, theirs.pk], "action": "restore", "return_query": "show=archived"},
        follow=True,
    )

    assert 'value="restore">Restore</button>' in archived_page
    assert "Restored 1 person to your active list." in response.text
    ana.refresh_from_db()
    theirs.refresh_from_db()
    assert not ana.is_archived
    assert theirs.is_archived
