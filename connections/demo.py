"""A demo account that feels lived in: forty people, six months of conversations ending today.

Everything is written through the domain functions, so the demo obeys the same rules as real
use (last contact dates, search index, tags). The random choices are seeded: the same day gives
the same account.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from connections.goals import add_goal, add_milestone, complete_milestone, set_goal_status
from connections.interactions import log_interaction
from connections.models import (
    CIRCLE_CADENCE_DAYS,
    Circle,
    ContactPoint,
    Goal,
    InteractionKind,
    Person,
    Relationship,
)
from connections.nudges import create_due_nudges, schedule_follow_up
from connections.people import create_person
from connections.values import add_my_value, add_person_value

DEMO_EMAIL = "demo@example.com"
DEMO_NAME = "Sam Rivera"
HISTORY_DAYS = 182

IN_PERSON, VIDEO, CALL, VOICE, TEXT, EMAIL, LETTER = (
    InteractionKind.IN_PERSON,
    InteractionKind.VIDEO,
    InteractionKind.CALL,
    InteractionKind.VOICE,
    InteractionKind.TEXT,
    InteractionKind.EMAIL,
    InteractionKind.LETTER,
)

MY_VALUES = [
    ("honesty", "Saying the true thing kindly, even when it is awkward."),
    ("family", "Showing up for the people who raised me and the ones I chose."),
    ("curiosity", "Asking one more question than feels polite."),
    ("kindness", ""),
    ("adventure", "Saying yes to the mountain, the trip, the new thing."),
]


@dataclass(frozen=True)
class Someone:
    name: str
    circle: str
    last_seen: int | None  # days since the last conversation; None: never talked yet
    nickname: str = ""
    pronouns: str = ""
    birthday: tuple[int, int, int | None] | None = None  # day, month, year
    birthday_in: int | None = None  # a birthday this many days from today…
    born: int | None = None  # …in this year, if known
    met: str = ""
    story: str = ""
    channel: str = ""
    notes: str = ""
    org: str = ""
    title: str = ""
    tags: tuple[str, ...] = ()
    values: tuple[str | tuple[str, str], ...] = ()
    heard: tuple[str, ...] = ()  # what they shared, the most recent first
    topics: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    address: str = ""
    website: str = ""
    paused: bool = False


PEOPLE = [
    # Inner circle: every week.
    Someone(
        "Rosa Rivera",
        Circle.INNER,
        1,
        nickname="Mum",
        pronouns="she/her",
        birthday=(14, 3, 1958),
        channel=CALL,
        notes="Sunday evenings after dinner. Never before 10 am.",
        story=(
            "Raised three children and a vegetable garden in Setúbal; retired teacher who still "
            "corrects everyone's grammar."
        ),
        tags=("family",),
        values=("family", ("faith", "Mass every Sunday, and the community around it."), "kindness"),
        heard=(
            (
                "The knee is better since the physio; she walked to the market and back without "
                "stopping."
            ),
            "Worried Avô is lonely since the neighbour moved; wants us all there for lunch soon.",
            "Proud that the lemon tree finally fruited after three years of talking to it.",
        ),
        topics=("family", "health"),
        phone="+351 265 000 101",
        address="Rua das Laranjeiras 12, Setúbal",
    ),
    Someone(
        "Tomás Rivera",
        Circle.INNER,
        10,
        pronouns="he/him",
        birthday=(2, 8, 1988),
        channel=VIDEO,
        notes="Video on weekends; weekday evenings are bath time for Leo.",
        story=(
            "Younger brother. Engineer in Madrid, became a runner at 35 and will tell you about it."
        ),
        tags=("family",),
        values=("family", ("ambition", "Wants to lead a team by 40."), "adventure"),
        heard=(
            (
                "Thinking about moving back to Portugal so Leo grows up near Mum; Inês is not "
                "sure yet."
            ),
            (
                "Still glowing about the half marathon — says the last 3 km were the hardest and "
                "best of his life."
            ),
        ),
        topics=("family", "running", "work"),
        phone="+34 600 000 102",
        email="tomas.rivera@example.com",
    ),
    Someone(
        "Ana Lima",
        Circle.INNER,
        0,
        pronouns="she/her",
        birthday=(30, 9, None),
        channel=TEXT,
        notes="Voice notes on her commute; she hates phone calls.",
        met=(
            "Same corridor in the first year of university; she lent me a kettle and never took "
            "it back."
        ),
        story=(
            "Grew up between Recife and Lisbon. Left architecture for UX research because she "
            "loves people more than buildings."
        ),
        org="Studio Norte",
        title="Designer",
        tags=("university",),
        values=(
            "honesty",
            "curiosity",
            ("independence", "Needs to make her own path, even the long way round."),
        ),
        heard=(
            (
                "Final interview for the research lead role is in a few days; nervous about the "
                "presentation but she knows her stuff."
            ),
            "Feels stuck at Studio Norte — loves the team, but wants to do research full time.",
            "Aisha's mum is visiting for a month; the flat feels small and full of good food.",
        ),
        topics=("work", "career"),
        phone="+351 912 000 103",
        email="ana.lima@example.com",
    ),
    Someone(
        "Kofi Mensah",
        Circle.INNER,
        2,
        pronouns="he/him",
        birthday_in=26,
        born=1986,
        channel=IN_PERSON,
        notes="Tuesdays and Thursdays at the climbing gym; texts back within minutes.",
        met="He caught my fall on my first day bouldering, then taught me to fall properly.",
        story=(
            "Came to Lisbon from Kumasi for a master's and stayed for the light. Physiotherapist "
            "who climbs like it is dancing."
        ),
        org="Clínica Alfama",
        title="Physiotherapist",
        tags=("climbing",),
        values=("adventure", "kindness", ("discipline", "Trains with a notebook and a plan.")),
        heard=(
            "Projecting the overhang route at the gym; his shoulder is finally cooperating.",
            (
                "Missing his grandmother; planning a trip to Ghana at Christmas for the first "
                "time in four years."
            ),
        ),
        topics=("climbing", "family"),
        phone="+351 913 000 104",
        email="kofi.mensah@example.com",
    ),
    Someone(
        "Priya Raman",
        Circle.INNER,
        18,
        pronouns="she/her",
        birthday=(21, 6, 1990),
        channel=VOICE,
        notes="Voice messages at any hour — she answers during night feeds. London time.",
        met="Flatmates for three years in Lisbon; we painted the kitchen yellow without asking.",
        story=(
            "Data scientist from Chennai, moved to London with Dev. First baby, Meera, born in "
            "the spring."
        ),
        org="Open Health Lab",
        title="Data scientist",
        tags=("old flatmates",),
        values=("family", "curiosity", ("tradition", "Keeps every festival, even tired.")),
        heard=(
            (
                "Meera is finally sleeping four hours in a row; Priya cried with relief and then "
                "could not sleep herself."
            ),
            (
                "Scared about going back to work — loves her job but cannot imagine leaving Meera"
                " at nursery yet."
            ),
        ),
        topics=("baby", "work"),
        phone="+44 7700 000105",
        email="priya.raman@example.com",
    ),
    Someone(
        "Joaquim Rivera",
        Circle.INNER,
        12,
        nickname="Avô",
        pronouns="he/him",
        birthday_in=11,
        born=1936,
        channel=LETTER,
        notes="Loves a handwritten letter. Calls after lunch, never during the news.",
        story=(
            "Grandfather. Fisherman, then carpenter, now keeper of the family olive trees and "
            "every story."
        ),
        tags=("family",),
        values=("family", ("faith", ""), ("hard work", "Never trusted a man with soft hands.")),
        heard=(
            (
                "Told the story of meeting Avó at the dance in 1958 again — this time she wore a "
                "blue dress."
            ),
            "His hearing aid is bothering him and he does not want to make a fuss about it.",
        ),
        topics=("family", "health"),
        phone="+351 265 000 106",
        address="Quinta do Olival, Palmela",
    ),
    Someone(
        "Hana Sato",
        Circle.INNER,
        3,
        pronouns="she/her",
        birthday=(8, 11, 1992),
        channel=IN_PERSON,
        notes="Coffee on Saturday mornings; she is unreachable when writing.",
        met=(
            "Sat next to each other at a Murakami reading and disagreed about everything, "
            "delightfully."
        ),
        story=(
            "Translator from Osaka, writing her first novel in English. Runs our book club with a"
            " firm hand."
        ),
        org="Freelance",
        title="Literary translator",
        tags=("book club",),
        values=("curiosity", "honesty", ("solitude", "Needs long quiet days to be her best self.")),
        heard=(
            (
                "Chapter twelve is fighting her; she thinks the grandmother should die earlier in"
                " the book."
            ),
            (
                "An agent asked to read the first fifty pages — she is terrified and thrilled in "
                "equal parts."
            ),
        ),
        topics=("writing", "books"),
        phone="+351 914 000 107",
        email="hana.sato@example.com",
    ),
    Someone(
        "Mateus Costa",
        Circle.INNER,
        5,
        nickname="Mat",
        pronouns="he/him",
        birthday=(19, 1, 1987),
        channel=CALL,
        notes="Call early: he is at the ovens from 4 am and asleep by nine.",
        met="Primary school in Setúbal; we were the two kids who read during football.",
        story=(
            "Left his bank job at 33 to bake bread. Stubborn, generous, always smells of sourdough."
        ),
        title="Baker",
        tags=("school",),
        values=("honesty", "family", ("craft", "Doing one thing well, every day.")),
        heard=(
            (
                "Signed the lease for the bakery in Campo de Ourique; scared of the rent, more "
                "scared of not trying."
            ),
            (
                "His dad finally said he is proud of him. Mat pretended it was nothing and then "
                "talked about it for an hour."
            ),
        ),
        topics=("bakery", "family"),
        phone="+351 915 000 108",
        website="pao-do-mat.example.com",
    ),
    # Close: every month.
    Someone(
        "Inês Duarte",
        Circle.CLOSE,
        12,
        pronouns="she/her",
        birthday=(11, 4, 1989),
        channel=TEXT,
        story="Tomás's partner. Paediatric nurse, the calmest person in any emergency.",
        tags=("family",),
        values=("kindness", "family"),
        heard=(
            (
                "Not sure about leaving Madrid — her whole career is there, and her mother is "
                "getting older."
            ),
        ),
        topics=("family", "work"),
        phone="+34 600 000 109",
    ),
    Someone(
        "Leo Rivera",
        Circle.CLOSE,
        12,
        pronouns="he/him",
        birthday_in=3,
        born=2013,
        channel=VIDEO,
        notes="Video with Tomás on Sundays; talk football first, school never.",
        story="Nephew. Goalkeeper, Lego architect, suddenly taller than his mother.",
        tags=("family",),
        values=("adventure",),
        heard=("Made the school football team as goalkeeper and wants boots for his birthday.",),
        topics=("football",),
    ),
    Someone(
        "Sofia Marques",
        Circle.CLOSE,
        9,
        pronouns="she/her",
        birthday_in=17,
        channel=TEXT,
        notes="Texts. Works night shifts at the hospital every other week.",
        met="Book club, through Hana.",
        story="ER doctor who reads crime novels to relax, which worries everyone.",
        org="Hospital de Santa Maria",
        title="Emergency physician",
        tags=("book club",),
        values=("honesty", ("service", "Medicine as a way of being useful.")),
        heard=(
            (
                "Burnt out after a month of nights; booked a week in the Azores with no phone "
                "signal on purpose."
            ),
        ),
        topics=("work", "travel"),
        phone="+351 916 000 110",
        email="sofia.marques@example.com",
    ),
    Someone(
        "Bruno Alves",
        Circle.CLOSE,
        9,
        pronouns="he/him",
        birthday=(3, 2, None),
        channel=EMAIL,
        met="Book club.",
        story="Retired history teacher who joined book club to argue about endings.",
        tags=("book club",),
        values=("curiosity", ("tradition", "")),
        heard=(
            "His daughter is getting married in June and he is secretly writing a speech already.",
        ),
        topics=("books", "family"),
        email="bruno.alves@example.com",
    ),
    Someone(
        "Chloé Martin",
        Circle.CLOSE,
        9,
        pronouns="she/her",
        birthday=(27, 7, 1994),
        channel=TEXT,
        notes="Prefers French when tired.",
        met="Book club; she brought macarons and a strong opinion on Proust.",
        story="Grew up in Lyon. Moved to Lisbon for love, stayed after the break-up for the city.",
        org="Alliance Française",
        title="Teacher",
        tags=("book club",),
        values=("curiosity", "adventure"),
        heard=("Learning Portuguese properly now — says she finally dreams in it sometimes.",),
        topics=("language",),
        phone="+351 917 000 111",
    ),
    Someone(
        "Yusuf Demir",
        Circle.CLOSE,
        20,
        pronouns="he/him",
        birthday=(15, 5, 1985),
        channel=CALL,
        met=(
            "Sat across from each other at my first job; he explained the coffee machine and "
            "office politics."
        ),
        story="Came from Izmir for a software job. Now restores an old sailing boat every weekend.",
        org="Mareteck",
        title="Engineering manager",
        tags=("work",),
        values=("honesty", ("patience", "Wood and engines teach it.")),
        heard=("Booked the day skipper course; nervous about the night navigation exam.",),
        topics=("sailing", "work"),
        phone="+351 918 000 112",
        email="yusuf.demir@example.com",
    ),
    Someone(
        "Lena Fischer",
        Circle.CLOSE,
        6,
        pronouns="she/her",
        birthday=(9, 10, 1991),
        channel=TEXT,
        met="Climbing gym; she belayed for me when Kofi was away.",
        story="Architect from Freiburg who climbs barefoot when nobody is watching.",
        tags=("climbing",),
        values=("adventure", "honesty"),
        heard=("Planning a climbing trip to Kalymnos in October and wants us both to come.",),
        topics=("climbing", "travel"),
        phone="+351 919 000 113",
    ),
    Someone(
        "Diego Herrera",
        Circle.CLOSE,
        16,
        pronouns="he/him",
        birthday=(23, 12, 1993),
        channel=TEXT,
        met="Climbing gym.",
        story="Chef from Oaxaca with forearms like rope. Feeds everyone after sessions.",
        tags=("climbing",),
        values=("family", ("generosity", "Cooks for twelve when six are coming.")),
        heard=(
            "Homesick this month; his mother sent a box of mole paste and he cried in the kitchen.",
        ),
        topics=("family", "food"),
        phone="+351 920 000 114",
    ),
    Someone(
        "Amara Nwosu",
        Circle.CLOSE,
        41,
        pronouns="she/her",
        birthday=(1, 9, 1976),
        channel=VIDEO,
        notes="Thirty-minute video calls, booked through her assistant. Prefers a clear question.",
        met="My first manager; she gave me the project nobody wanted and it changed everything.",
        story="Grew up in Lagos and London. Runs a design consultancy and mentors half the city.",
        org="Nwosu & Partners",
        title="Founder",
        tags=("work", "mentor"),
        values=(
            "honesty",
            "curiosity",
            ("excellence", "Good enough is a decision, not an accident."),
        ),
        heard=(
            (
                "Suggested I stop asking for permission and write the proposal for the research "
                "team myself."
            ),
            (
                "Her son started university in Edinburgh; the house is quiet and she is not sure "
                "she likes it."
            ),
        ),
        topics=("career", "mentoring"),
        email="amara@example.com",
        website="nwosu-partners.example.com",
    ),
    Someone(
        "Olivia Bennett",
        Circle.CLOSE,
        55,
        pronouns="she/her",
        birthday=(17, 2, 1990),
        channel=VIDEO,
        notes="Toronto is five hours behind; Sunday mornings her time work best.",
        met="Erasmus in Bologna; we got lost on the same night bus.",
        story="Canadian, teaches high school chemistry, skates to work in winter.",
        org="Riverdale Collegiate",
        title="Teacher",
        tags=("university",),
        values=("kindness", "adventure"),
        heard=(
            (
                "Deciding whether to stay in Toronto or apply for a post in Amsterdam; the cost "
                "of rent is making it for her."
            ),
            "Her father's surgery went well; she is flying home to help for two weeks.",
        ),
        topics=("career", "family"),
        email="olivia.bennett@example.com",
    ),
    Someone(
        "Rafael Gomes",
        Circle.CLOSE,
        14,
        pronouns="he/him",
        birthday=(6, 6, 1960),
        channel=IN_PERSON,
        notes="Find him in the community garden on Saturday mornings.",
        met="Neighbour on the third floor; we share a garden plot and an opinion about snails.",
        story="Retired bus driver, widower, grows the best tomatoes on the street.",
        tags=("neighbours",),
        values=("kindness", "hard work"),
        heard=("Misses his wife most on Sundays; the garden helps, and so do visitors.",),
        topics=("garden",),
        phone="+351 921 000 116",
    ),
    Someone(
        "Mei Lin",
        Circle.CLOSE,
        38,
        pronouns="she/her",
        birthday=(12, 12, None),
        channel=TEXT,
        met="Dumpling class at the community kitchen; she folded, I tore.",
        story="Accountant from Taipei who paints watercolours on the train.",
        tags=("cooking",),
        values=("curiosity", ("balance", "Work ends at six, full stop.")),
        heard=(
            (
                "Her first exhibition of watercolours is in a café in Graça next month; she asked"
                " me to come."
            ),
        ),
        topics=("art",),
        phone="+351 922 000 117",
    ),
    Someone(
        "Jonas Berg",
        Circle.CLOSE,
        70,
        pronouns="he/him",
        birthday=(29, 8, 1986),
        channel=EMAIL,
        notes="Long emails, answered slowly and thoughtfully.",
        met="Flat-share in Lisbon, before he moved back to Oslo.",
        story="Documentary editor who hikes alone to think.",
        tags=("old flatmates",),
        values=("honesty", "adventure"),
        heard=(
            "Separated from Kari after nine years; says it was kind and still feels like falling.",
        ),
        topics=("family",),
        email="jonas.berg@example.com",
    ),
    Someone(
        "Nadia Haddad",
        Circle.CLOSE,
        24,
        pronouns="she/her",
        birthday=(4, 4, 1988),
        channel=IN_PERSON,
        met="Her yoga class, where I fell asleep in the final pose and she let me.",
        story=(
            "Lebanese-Portuguese yoga teacher, opened her own studio after a decade in marketing."
        ),
        org="Casa Respira",
        title="Yoga teacher",
        tags=("yoga",),
        values=("kindness", ("presence", "")),
        heard=("The studio survived its first year; she is tired and very proud.",),
        topics=("work",),
        phone="+351 923 000 119",
        website="casarespira.example.com",
    ),
    # Wider: every three months.
    Someone(
        "Beatriz Rivera",
        Circle.WIDER,
        60,
        pronouns="she/her",
        birthday=(25, 5, 1984),
        channel=TEXT,
        story="Cousin; runs a surf school in Ericeira.",
        tags=("family",),
        values=("adventure", "family"),
        heard=("The surf school had its best summer ever; she bought a second van.",),
        topics=("family",),
        phone="+351 924 000 120",
    ),
    Someone(
        "Pedro Rivera",
        Circle.WIDER,
        60,
        pronouns="he/him",
        birthday=(30, 10, None),
        channel=TEXT,
        story="Cousin; quiet, funny, a nurse in Porto.",
        tags=("family",),
        heard=("Thinking of retraining as a midwife, which nobody in the family expected.",),
        topics=("work",),
    ),
    Someone(
        "Fatima Zahra Benali",
        Circle.WIDER,
        45,
        nickname="Fatima",
        pronouns="she/her",
        birthday=(18, 1, 1983),
        channel=EMAIL,
        met="Worked together at Mareteck.",
        story="Product lead from Casablanca, mother of twins.",
        org="Mareteck",
        title="Product lead",
        tags=("work",),
        values=("family", "honesty"),
        heard=(
            "The twins started school; she is back to full days and loving the quiet lunch hour.",
        ),
        topics=("work", "kids"),
        email="fatima.benali@example.com",
    ),
    Someone(
        "Tom Hughes",
        Circle.WIDER,
        80,
        pronouns="he/him",
        birthday=(2, 3, 1955),
        channel=EMAIL,
        met="My thesis supervisor.",
        story="Welsh anthropologist, retired to a village with more sheep than phones.",
        tags=("university", "mentor"),
        values=("curiosity",),
        heard=("Writing a memoir about fieldwork and wants me to read the chapter about Lisbon.",),
        topics=("writing",),
        email="tom.hughes@example.com",
    ),
    Someone(
        "Elena Petrova",
        Circle.WIDER,
        50,
        pronouns="she/her",
        channel=TEXT,
        met="A research conference in Berlin; we skipped the keynote for a museum.",
        story="UX researcher in Sofia, runs meetups for women in tech.",
        org="Balkan UX",
        title="Research lead",
        tags=("work",),
        values=("curiosity", "honesty"),
        heard=("Invited me to speak at the Sofia meetup in the spring.",),
        topics=("work", "travel"),
        email="elena.petrova@example.com",
    ),
    Someone(
        "Samuel Adeyemi",
        Circle.WIDER,
        30,
        pronouns="he/him",
        birthday=(10, 7, 1992),
        channel=TEXT,
        met="Kofi's running club.",
        story="Nigerian-Portuguese accountant and marathon pacer.",
        tags=("running",),
        values=("discipline",),
        heard=(
            "Pacing the 3h30 group at the Lisbon marathon and looking for people to train with.",
        ),
        topics=("running",),
    ),
    Someone(
        "Grace O'Connor",
        Circle.WIDER,
        130,
        pronouns="she/her",
        birthday=(17, 3, 1989),
        channel=VIDEO,
        met="Erasmus in Bologna, with Olivia.",
        story="Irish, a barrister in Dublin with a laugh you can hear across a courtroom.",
        tags=("university",),
        values=("honesty", "adventure"),
        heard=(
            (
                "Took silk this year; tired of being the only woman in most rooms, and not going "
                "anywhere."
            ),
        ),
        topics=("work",),
        email="grace.oconnor@example.com",
    ),
    Someone(
        "Henrique Sousa",
        Circle.WIDER,
        110,
        pronouns="he/him",
        birthday=(8, 8, 1968),
        channel=CALL,
        met="My boss at the design agency.",
        story="Gruff, loyal, taught me to present without notes.",
        tags=("work", "mentor"),
        values=("hard work",),
        heard=("Selling the agency and unsure what he is without it.",),
        topics=("work",),
        phone="+351 925 000 127",
    ),
    Someone(
        "Julia Novak",
        Circle.WIDER,
        40,
        pronouns="she/her",
        channel=TEXT,
        met="Language exchange: my Portuguese for her Czech, which went badly for me.",
        story="Translator from Brno, now in Lisbon for good.",
        tags=("language",),
        values=("curiosity",),
        heard=("Got her Portuguese citizenship; wants a party with terrible Czech food.",),
        topics=("language",),
        phone="+351 926 000 128",
    ),
    Someone(
        "Marco Bianchi",
        Circle.WIDER,
        95,
        pronouns="he/him",
        birthday=(21, 11, 1979),
        channel=EMAIL,
        notes="Travelling for a year; paused until he is back.",
        met="He hosted me in Turin on a cycling trip.",
        story="Cycle tourer and bookshop owner, currently riding across South America.",
        tags=("travel",),
        values=("adventure", "freedom"),
        heard=("Crossed the Andes by bike; sent a photo of a very cold tent.",),
        topics=("travel",),
        email="marco.bianchi@example.com",
        paused=True,
    ),
    Someone(
        "Aisha Khan",
        Circle.WIDER,
        0,
        pronouns="she/her",
        birthday=(5, 12, 1991),
        channel=TEXT,
        story="Ana's wife. Civil engineer who builds bridges and sourdough starters.",
        org="Ponte Engenharia",
        title="Civil engineer",
        values=("family", "honesty"),
        heard=("Planning a surprise for Ana if she gets the job; sworn to secrecy.",),
        topics=("family",),
    ),
    Someone(
        "Catarina Nunes",
        Circle.WIDER,
        20,
        pronouns="she/her",
        birthday=(22, 9, None),
        channel=TEXT,
        met="Primary school, with Mat.",
        story="Architect and mother of three in Setúbal.",
        tags=("school",),
        values=("family",),
        heard=("Organising a school reunion; wants me to find the old class photo.",),
        topics=("school",),
    ),
    # Acquaintances: no rhythm.
    Someone(
        "José Carvalho",
        Circle.ACQUAINTANCE,
        25,
        nickname="Zé",
        pronouns="he/him",
        story="Barber on Rua da Graça for forty years; knows everyone's news.",
        tags=("neighbours",),
        heard=("His granddaughter got into medical school; he told the whole shop twice.",),
    ),
    Someone(
        "Lucía Fernández",
        Circle.ACQUAINTANCE,
        50,
        pronouns="she/her",
        story="Neighbour's daughter, studying music; plays cello on the balcony.",
        tags=("neighbours",),
        heard=("Preparing for a conservatory audition in Madrid.",),
    ),
    Someone(
        "Ravi Patel",
        Circle.ACQUAINTANCE,
        120,
        pronouns="he/him",
        met="Spoke after my talk at a conference.",
        org="Openwork",
        title="Researcher",
        tags=("work",),
        email="ravi.patel@example.com",
        heard=("Wants to compare notes on diary studies sometime.",),
    ),
    Someone(
        "Emma Schultz",
        Circle.ACQUAINTANCE,
        70,
        pronouns="she/her",
        met="Lena's friend, met at the crag.",
        tags=("climbing",),
        heard=("Just moved to Lisbon and looking for climbing partners.",),
    ),
    Someone(
        "Noah Williams",
        Circle.ACQUAINTANCE,
        None,
        pronouns="he/him",
        birthday=(14, 2, None),
        story="Kofi's brother, visiting from Accra next month.",
    ),
    Someone(
        "Sara Lopes",
        Circle.ACQUAINTANCE,
        33,
        pronouns="she/her",
        story="Runs the café downstairs.",
        tags=("neighbours",),
        heard=("Thinking about opening in the evenings for music nights.",),
    ),
]

GENERIC_HEARD = [
    "Busy stretch at work; tired but proud of how the launch went.",
    "Sleeping badly lately and trying to walk every morning before work.",
    "Lit up talking about a trip to the mountains in the spring.",
    "Reading a lot again and recommended The Overstory twice.",
    "Feeling settled in the new flat at last; the plants survived the move.",
    "Missing the old gang; we should plan something for the summer.",
    "Quietly thinking about changing jobs, not ready to say it out loud yet.",
    "Just back from a wedding and still buzzing about the dancing.",
    "Learning to cook properly — the lentil dal is apparently a triumph.",
    "Laughed about our disastrous camping trip, years later it is the best story.",
    "Stretched between work and family; needs a weekend with nothing in it.",
    "A hard week; mostly wanted someone to listen, not fix.",
    "Saving up for Japan next autumn and already planning the food.",
    "Enjoying slow mornings with coffee and the radio before anyone else is up.",
    "Frustrated with the landlord but handling it calmly, with a folder of letters.",
    "Excited about a new project, a little scared of how big it is.",
]
SHARED = [
    "Told them about the climbing trip and how scared I was on the last pitch.",
    "Shared that I have been thinking about leading research, not just doing it.",
    "Talked about Mum's knee and how it feels to worry from far away.",
    "Admitted I have been working too late again.",
    "",
    "",
]
KIND_WEIGHTS = {
    Circle.INNER: {IN_PERSON: 35, CALL: 25, VIDEO: 10, TEXT: 20, VOICE: 10},
    Circle.CLOSE: {IN_PERSON: 35, TEXT: 30, CALL: 10, VIDEO: 15, EMAIL: 5, VOICE: 5},
    Circle.WIDER: {TEXT: 35, EMAIL: 25, CALL: 10, VIDEO: 15, IN_PERSON: 15},
    Circle.ACQUAINTANCE: {IN_PERSON: 60, TEXT: 40},
}
DURATIONS = {IN_PERSON: (45, 180), VIDEO: (20, 60), CALL: (5, 45)}

GROUPS = [
    (
        ["Hana Sato", "Sofia Marques", "Bruno Alves", "Chloé Martin"],
        9,
        28,
        IN_PERSON,
        "book club",
        [
            "Book club dinner at Sofia's: we argued happily about the ending of Klara and the Sun.",
            "Book club: Bruno defended the villain for an hour; Chloé brought tarte tatin.",
            (
                "Book club picnic in Estrela — Hana announced the agent news and we toasted with "
                "warm wine."
            ),
        ],
    ),
    (
        ["Rosa Rivera", "Joaquim Rivera", "Tomás Rivera", "Inês Duarte", "Leo Rivera"],
        12,
        45,
        IN_PERSON,
        "family",
        [
            (
                "Family lunch at Avô's: grilled sardines under the olive trees, Leo beat everyone"
                " at cards."
            ),
            "Sunday lunch in Setúbal; Mum cried a little at the toast to Avó.",
        ],
    ),
    (
        ["Kofi Mensah", "Lena Fischer", "Diego Herrera"],
        16,
        21,
        IN_PERSON,
        "climbing",
        [
            "Climbing day in Sintra; Lena sent her project and Diego fed us tacos after.",
            "Gym session then beers: Kofi is coaching Diego on footwork, patiently.",
        ],
    ),
]

GOALS = [
    # person, title, target (days from today), status, milestones [(title, due in days, done)]
    (
        "Ana Lima",
        "Land the research lead role",
        9,
        Goal.Status.ACTIVE,
        [("Portfolio review with Amara", -20, True), ("Final interview", 4, False)],
    ),
    (
        "Hana Sato",
        "Finish the first draft of the novel",
        20,
        Goal.Status.ACTIVE,
        [("Send fifty pages to the agent", -10, True), ("Finish chapter twelve", 6, False)],
    ),
    (
        "Mateus Costa",
        "Open the bakery",
        28,
        Goal.Status.ACTIVE,
        [("Sign the lease", -30, True), ("Oven installed", 14, False), ("Opening day", 28, False)],
    ),
    (
        "Priya Raman",
        "Go back to work part-time",
        45,
        Goal.Status.ACTIVE,
        [("Find a nursery for Meera", 12, False)],
    ),
    (
        "Kofi Mensah",
        "Climb a 7a outdoors",
        90,
        Goal.Status.ACTIVE,
        [("Lead a 6c+ at the gym", -40, True)],
    ),
    (
        "Yusuf Demir",
        "Get the day skipper licence",
        120,
        Goal.Status.ACTIVE,
        [("Night navigation exam", 25, False)],
    ),
    (
        "Tomás Rivera",
        "Run the Lisbon half marathon",
        -40,
        Goal.Status.ACHIEVED,
        [("First 15 km run", -90, True), ("Race day", -40, True)],
    ),
    ("Leo Rivera", "Make the school football team", -30, Goal.Status.ACHIEVED, []),
    (
        "Joaquim Rivera",
        "Plant the new olive trees",
        -60,
        Goal.Status.ACHIEVED,
        [("Clear the lower terrace", -80, True)],
    ),
    ("Olivia Bennett", "Move back to Europe", None, Goal.Status.LET_GO, []),
    ("Mei Lin", "Show her watercolours in public", 30, Goal.Status.ACTIVE, []),
]

RELATIONSHIPS = [
    ("Rosa Rivera", Relationship.Kind.PARENT, "Tomás Rivera"),
    ("Joaquim Rivera", Relationship.Kind.PARENT, "Rosa Rivera"),
    ("Inês Duarte", Relationship.Kind.PARTNER, "Tomás Rivera"),
    ("Tomás Rivera", Relationship.Kind.PARENT, "Leo Rivera"),
    ("Aisha Khan", Relationship.Kind.PARTNER, "Ana Lima"),
    ("Noah Williams", Relationship.Kind.SIBLING, "Kofi Mensah"),
    ("Beatriz Rivera", Relationship.Kind.SIBLING, "Pedro Rivera"),
    ("Lena Fischer", Relationship.Kind.FRIEND, "Emma Schultz"),
    ("Yusuf Demir", Relationship.Kind.COLLEAGUE, "Fatima Zahra Benali"),
    ("Mateus Costa", Relationship.Kind.FRIEND, "Catarina Nunes"),
    ("Olivia Bennett", Relationship.Kind.FRIEND, "Grace O'Connor"),
]


def seed_demo(
    *,
    email: str = DEMO_EMAIL,
    password: str | None = None,
    timezone_name: str = "Europe/Lisbon",
    reset: bool = False,
    now: datetime | None = None,
) -> tuple[User, str]:
    """Create the demo account (or replace it when `reset`); return it and its password."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not reset:
        raise FileExistsError(f"{email} already exists; reset it to start again.")
    password = password or secrets.token_urlsafe(12)
    now = (now or timezone.now()).astimezone(ZoneInfo(timezone_name))
    with transaction.atomic():
        if existing is not None:
            existing.delete()
        user = User.objects.create_user(
            email, password, display_name=DEMO_NAME, timezone=timezone_name
        )
        _populate(user, now=now, rng=random.Random(f"tend-demo-{now.date()}"))
    return user, password


def _populate(user: User, *, now: datetime, rng: random.Random) -> None:
    today = now.date()
    for name, note in MY_VALUES:
        add_my_value(owner=user, name=name, note=note)
    people = {spec.name: _create(user, spec, now=now) for spec in PEOPLE}
    for spec in PEOPLE:
        _log_history(user, spec, people[spec.name], now=now, rng=rng)
    for names, first_day, every, kind, topic, heard in GROUPS:
        for n, days_ago in enumerate(range(first_day, HISTORY_DAYS, every)):
            log_interaction(
                owner=user,
                people=[people[name] for name in names],
                kind=kind,
                occurred_at=_moment(now, days_ago, rng),
                what_i_heard=heard[n % len(heard)],
                duration_minutes=rng.choice([120, 150, 180, 240]),
                connection_rating=rng.choice([4, 5, 5]),
                topic_names=[topic],
            )
    for name, title, target, status, milestones in GOALS:
        goal = add_goal(
            person=people[name],
            title=title,
            target_date=None if target is None else today + timedelta(days=target),
        )
        for milestone_title, due, done in milestones:
            milestone = add_milestone(
                goal=goal, title=milestone_title, due_on=today + timedelta(days=due)
            )
            if done:
                complete_milestone(milestone=milestone, on=today + timedelta(days=due))
        if status != Goal.Status.ACTIVE:
            on = today + timedelta(days=target) if target is not None else today
            set_goal_status(goal=goal, status=status, on=on)
    for from_name, kind, to_name in RELATIONSHIPS:
        Relationship.objects.create(
            from_person=people[from_name], to_person=people[to_name], kind=kind
        )
    _plan_follow_ups(people, today=today)
    create_due_nudges(now)


# (person, days from today, what to ask about): some due now, some coming up.
FOLLOW_UPS = [
    (0, -1, "Ask how the first week at the new job went."),
    (3, 0, "She was waiting for the scan results. Check in gently."),
    (7, 2, "Ask whether the flat viewing on Saturday worked out."),
    (12, 6, "He was nervous about the presentation to the board."),
]


def _plan_follow_ups(people: dict[str, Person], *, today) -> None:
    everyone = list(people.values())
    for index, days, reason in FOLLOW_UPS:
        person = everyone[index % len(everyone)]
        schedule_follow_up(person=person, due_on=today + timedelta(days=days), reason=reason)


def _create(user: User, spec: Someone, *, now: datetime) -> Person:
    birthday = {}
    if spec.birthday:
        day, month, year = spec.birthday
        birthday = {"birthday_day": day, "birthday_month": month, "birthday_year": year}
    elif spec.birthday_in is not None:
        on = now.date() + timedelta(days=spec.birthday_in)
        if (on.month, on.day) == (2, 29):
            on -= timedelta(days=1)
        year = spec.born + (on.year - now.year) if spec.born else None
        birthday = {"birthday_day": on.day, "birthday_month": on.month, "birthday_year": year}
    person = create_person(
        owner=user,
        full_name=spec.name,
        nickname=spec.nickname,
        pronouns=spec.pronouns,
        circle=spec.circle,
        how_we_met=spec.met,
        story=spec.story,
        preferred_channel=spec.channel,
        connect_notes=spec.notes,
        organisation=spec.org,
        job_title=spec.title,
        paused=spec.paused,
        created_at=now - timedelta(days=HISTORY_DAYS + 20),
        tag_names=spec.tags,
        **birthday,
    )
    for kind, value, label in [
        (ContactPoint.Kind.PHONE, spec.phone, "mobile"),
        (ContactPoint.Kind.EMAIL, spec.email, "personal"),
        (ContactPoint.Kind.ADDRESS, spec.address, "home"),
        (ContactPoint.Kind.WEBSITE, spec.website, "website"),
    ]:
        if value:
            ContactPoint.objects.create(person=person, kind=kind, value=value, label=label)
    for value in spec.values:
        name, note = value if isinstance(value, tuple) else (value, "")
        add_person_value(person=person, name=name, note=note)
    return person


def _log_history(user: User, spec: Someone, person: Person, *, now, rng) -> None:
    """Conversations from the last contact back six months, about one per rhythm."""
    if spec.last_seen is None:
        return
    cadence = CIRCLE_CADENCE_DAYS[Circle(spec.circle)]
    days_ago, n = spec.last_seen, 0
    while days_ago < HISTORY_DAYS:
        kind = _kind(spec, rng)
        heard = spec.heard[n] if n < len(spec.heard) else rng.choice(GENERIC_HEARD)
        low_high = DURATIONS.get(kind)
        log_interaction(
            owner=user,
            people=[person],
            kind=kind,
            occurred_at=_moment(now, days_ago, rng),
            what_i_heard=heard,
            what_i_shared=rng.choice(SHARED),
            duration_minutes=rng.randrange(*low_high, 5) if low_high else None,
            connection_rating=rng.choice([None, 3, 4, 4, 5]),
            topic_names=spec.topics[:1] if n < len(spec.heard) else (),
        )
        n += 1
        if cadence is None:
            if n >= 2:
                break
            days_ago += rng.randint(60, 120)
        else:
            days_ago += max(2, round(cadence * rng.uniform(0.7, 1.15)))


def _kind(spec: Someone, rng: random.Random) -> str:
    if spec.channel and rng.random() < 0.5:
        return spec.channel
    weights = KIND_WEIGHTS[Circle(spec.circle)]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _moment(now: datetime, days_ago: int, rng: random.Random) -> datetime:
    """A plausible local time of day, `days_ago` days before `now`, never in the future."""
    day: date = now.date() - timedelta(days=days_ago)
    moment = datetime.combine(
        day, time(rng.randint(8, 21), rng.choice([0, 15, 30, 45])), tzinfo=now.tzinfo
    )
    return min(moment, now - timedelta(minutes=rng.randint(5, 50)))
