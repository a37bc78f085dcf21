"""The fair-housing check: a flagged phrase for each protected category, HUD's accepted descriptions of the
property left alone, and the combined description check."""

from __future__ import annotations

from decimal import Decimal

import pytest

from descriptions.checks import FACT, FAIR_HOUSING, Finding, description_check, fair_housing_check
from descriptions.checks.fair_housing import ACCEPTED_PHRASES, CATEGORIES
from descriptions.facts import ListingFacts

PEOPLE = "Describe the property, not the people."
CHILDREN = f"Fair housing (familial status): It limits households with children. {PEOPLE}"
ADULTS = f"Fair housing (familial status): It states a preference for adults. {PEOPLE}"
HOUSEHOLDS = f"Fair housing (familial status): It says which households the home suits. {PEOPLE}"
FAITH = f"Fair housing (religion): It states a religious preference. {PEOPLE}"
WORSHIP = ("Fair housing (religion): Naming a place of worship as a landmark can signal a religious preference; "
           "use a neutral landmark.")
ORIGIN = "Fair housing (race, colour or national origin):"
ORIGIN_PEOPLE = f"{ORIGIN} It describes the people by race, colour or origin. {PEOPLE}"
KEPT_OUT = f"{ORIGIN} It suggests who lives in the neighbourhood, or who is kept out. {PEOPLE}"
ORIGIN_LIMIT = f"{ORIGIN} It limits buyers or tenants by national origin. {PEOPLE}"
EXCLUDES_DISABLED = f"Fair housing (disability): It excludes people with disabilities. {PEOPLE}"
PREFERS_ABLE = ("Fair housing (disability): It states a preference for people without disabilities; describe the "
                "property's access instead.")
SEX_LIMIT = f"Fair housing (sex): It limits buyers or tenants by sex. {PEOPLE}"
SEX_SUITS = f"Fair housing (sex): It says which sex the home suits. {PEOPLE}"
AGE_LIMIT = ("Fair housing (age): It limits buyers or tenants by age; housing for older persons states its 55+ or 62+ "
             "designation.")
AGE_GROUP = f"Fair housing (age): It states a preference for an age group. {PEOPLE}"


@pytest.mark.parametrize(("text", "span", "message"), [
    ("Quiet unit, no children.", "no children", CHILDREN),
    ("ADULTS ONLY building.", "ADULTS ONLY", ADULTS),
    ("Perfect for singles!", "Perfect for singles", HOUSEHOLDS),
    ("Ideal for couples.", "Ideal for couples", HOUSEHOLDS),
    ("Downsize: made for empty nesters.", "made for empty nesters", HOUSEHOLDS),
    ("A Christian home.", "Christian home", FAITH),
    ("No Muslims.", "No Muslims", FAITH),
    ("Steps from St. Mary's Church.", "Steps from St. Mary's Church", WORSHIP),
    ("Near the synagogue.", "Near the synagogue", WORSHIP),
    ("A white neighborhood.", "white neighborhood", ORIGIN_PEOPLE),
    ("An exclusive neighborhood.", "exclusive neighborhood", KEPT_OUT),
    ("An integrated community.", "integrated community", KEPT_OUT),
    ("English speakers only.", "English speakers only", ORIGIN_LIMIT),
    ("No wheelchairs.", "No wheelchairs", EXCLUDES_DISABLED),
    ("No mentally ill tenants.", "No mentally ill", EXCLUDES_DISABLED),
    ("Able-bodied tenants.", "Able-bodied", PREFERS_ABLE),
    ("Tenants must climb stairs.", "must climb stairs", PREFERS_ABLE),
    ("Female only.", "Female only", SEX_LIMIT),
    ("No men.", "No men", SEX_LIMIT),
    ("The ultimate bachelor pad.", "bachelor pad", SEX_SUITS),
    ("Seniors only.", "Seniors only", AGE_LIMIT),
    ("Great for young professionals.", "young professionals", AGE_GROUP),
    ("Suits a mature person.", "mature person", AGE_GROUP),
])
def test_it_flags_a_phrase_about_the_people(text: str, span: str, message: str) -> None:
    start = text.index(span)

    assert fair_housing_check(text) == [
        Finding(kind=FAIR_HOUSING, start=start, end=start + len(span), span=span, message=message),
    ]


def test_it_has_a_flagged_example_for_every_category() -> None:
    examples = ["no children", "Christian home", "white neighborhood", "no wheelchairs", "female only", "seniors only"]

    flagged = [fair_housing_check(example)[0].message for example in examples]

    assert [message.split("(")[1].split(")")[0] for message in flagged] == list(CATEGORIES)


@pytest.mark.parametrize("text", [
    *ACCEPTED_PHRASES,
    "Spacious master bedroom with a walk-in closet.",
    "Walk to bus stop; walking distance to shops.",
    "Great view from the family room and the den.",
    "Handicap accessible entrance; wheelchair accessible bathroom.",
    "A quiet neighborhood, a desirable neighborhood, a rare find.",
    "Fourth-floor walk-up.",
    "A bachelor apartment with a mother-in-law suite.",
    "A 55+ community; 55 and older community.",
    "Near the park and the beach.",
    "White paint, black interior, no blind spots, automatic menu.",
    "No mention of men's or women's things; manual windows.",
])
def test_it_accepts_descriptions_of_the_property(text: str) -> None:
    assert fair_housing_check(text) == []


def test_it_matches_whole_words_only() -> None:
    assert fair_housing_check("Nomen est omen; childfreedom; adultsonly.") == []


def test_description_check_gives_both_kinds_in_text_order() -> None:
    facts = ListingFacts(kind="home", price=Decimal(150_000), city="Ponce", state="PR", bed=3)
    text = "Adults only: 4 bedrooms with a pool."

    assert [(finding.kind, finding.span) for finding in description_check(text, facts)] == [
        (FAIR_HOUSING, "Adults only"), (FACT, "4 bedrooms"), (FACT, "pool"),
    ]
