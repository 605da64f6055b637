"""Searching people stays true as interactions are logged, edited, moved and deleted.

On PostgreSQL these go through each person's search document (connections/search.py); on
SQLite through the interactions themselves. The same tests hold for both.
"""

from connections.interactions import delete_interaction, update_interaction
from connections.models import ContactPoint, Person, Tag
from connections.people import merge_people
from tests.factories import ContactPointFactory, PersonFactory, interaction_with


def found(user, text):
    return set(Person.objects.for_user(user).search(text, user=user))


def test_a_new_interaction_adds_its_words_for_everyone_who_was_there(user):
    ana, ben = PersonFactory(owner=user), PersonFactory(owner=user)
    interaction_with(ana, what_i_heard="The allotment flooded again")
    interaction_with(ana, ben, what_i_shared="I finally read Middlemarch")

    assert found(user, "allotment") == {ana}
    assert found(user, "middlemarch") == {ana, ben}


def test_editing_an_interaction_replaces_its_words(user):
    ana, ben = PersonFactory(owner=user), PersonFactory(owner=user)
    interaction = interaction_with(ana, ben, what_i_heard="Worried about the kiln")
    interaction_with(ana, what_i_heard="The kiln is fixed")

    update_interaction(interaction=interaction, people=[ben], what_i_heard="A trip to Porto")

    assert found(user, "kiln") == {ana}
    assert found(user, "porto") == {ben}


def test_deleting_an_interaction_forgets_its_words(user):
    ana = PersonFactory(owner=user)
    interaction = interaction_with(ana, what_i_heard="Learning the cello")
    interaction_with(ana, what_i_heard="Talked about the week.")

    delete_interaction(interaction=interaction)

    assert found(user, "cello") == set()
    assert found(user, "week") == {ana}


def test_merging_keeps_what_was_said_with_both(user):
    keep = PersonFactory(owner=user, full_name="Ana Lima")
    absorb = PersonFactory(owner=user, full_name="Ana L.")
    interaction_with(absorb, what_i_heard="Her sister's wedding in Goa")

    merge_people(keep=keep, absorb=absorb)

    assert found(user, "goa") == {keep}


def test_part_of_a_name_organisation_contact_or_tag_finds_them(user):
    marlowe = PersonFactory(owner=user, full_name="Marlowe Whitfield", organisation="Kestrel")
    ContactPointFactory(person=marlowe, kind=ContactPoint.Kind.EMAIL, value="mw@quayside.example")
    tagged = PersonFactory(owner=user, full_name="Pat Doe")
    tagged.tags.add(Tag.objects.create(owner=user, name="Book club"))
    PersonFactory(owner=user, full_name="Someone Else")

    assert found(user, "arlo") == {marlowe}
    assert found(user, "KESTR") == {marlowe}
    assert found(user, "quayside") == {marlowe}
    assert found(user, "book") == {tagged}


def test_another_users_words_and_names_never_match(user, other_user):
    mine = PersonFactory(owner=user, full_name="Ana Lima")
    theirs = PersonFactory(owner=other_user, full_name="Ana Lima")
    interaction_with(theirs, what_i_heard="A secret about sourdough")

    assert found(user, "sourdough") == set()
    assert found(user, "ana lima") == {mine}


def test_search_treats_like_wildcards_as_text(user):
    ana = PersonFactory(owner=user, full_name="Ana 100% Lima")
    PersonFactory(owner=user, full_name="Ana 1000 Lima")

    assert found(user, "100%") == {ana}


def test_birthdays_in_a_window_count_29_february_as_the_28th_in_other_years(user):
    from datetime import date

    leapling = PersonFactory(owner=user, birthday_day=29, birthday_month=2)
    march = PersonFactory(owner=user, birthday_day=1, birthday_month=3)
    PersonFactory(owner=user, birthday_day=27, birthday_month=2)
    people = Person.objects.for_user(user)

    assert set(people.birthday_between(date(2027, 2, 28), date(2027, 3, 1))) == {leapling, march}
    assert set(people.birthday_between(date(2028, 2, 28), date(2028, 2, 28))) == set()
