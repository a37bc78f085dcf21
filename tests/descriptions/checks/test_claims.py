"""The fact check: planted errors are caught with their exact span and message; true statements,
however they are written, are not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from descriptions.checks import FACT, Finding, fact_check
from descriptions.facts import ListingFacts

HOME = ListingFacts(
    kind="home", offer="sale", title="3 bd, 2 ba house in Ponce, PR", price=Decimal("349000.00"), city="Ponce",
    state="PR", zip_code="00731", bed=3, bath=Decimal("2.0"), house_size=1850, acre_lot=0.25,
    prev_sold_date=date(2021, 3, 15),
)
HALF_BATH_HOME = replace(HOME, bath=Decimal("2.5"))
RENTAL = replace(HOME, offer="rent", price=Decimal("2100.00"))
CAR = ListingFacts(
    kind="car", offer="sale", title="2016 Ford Transit Connect Titanium", price=Decimal("15573.00"),
    city="Medford-Ashland", state="OR", year=2016, make="Ford", model="Transit Connect Titanium", odometer=104_340,
    condition="good", cylinders="4 cylinders", fuel="gas", transmission="automatic", drive="fwd", size="mid-size",
    body_type="van", paint_color="silver", title_status="clean",
)


def spans_and_messages(text: str, facts: ListingFacts) -> list[tuple[str, str]]:
    return [(finding.span, finding.message) for finding in fact_check(text, facts)]


@pytest.mark.parametrize(("text", "facts", "span", "message"), [
    # the planted errors of the issue
    ("Lovely home with 4 bedrooms.", HOME, "4 bedrooms", "Says 4 bedrooms; the listing has 3."),
    ("Relax by the pool after work.", HOME, "pool", "Mentions a pool, which the listing does not state."),
    ("This 2018 Ford Transit Connect Titanium runs well.", CAR, "2018", "Says model year 2018; the listing has 2016."),
    ("Only 45,000 miles.", CAR, "45,000 miles", "Says 45,000 miles; the listing has 104,340."),
    ("Just 45k miles on it.", CAR, "45k miles", "Says 45,000 miles; the listing has 104,340."),
    ("A lovely home located in Mayaguez.", HOME, "Mayaguez", "Says Mayaguez; the listing is in Ponce."),
    ("Three bedrooms and 3 baths.", HOME, "3 baths", "Says 3 bathrooms; the listing has 2."),
    ("Offering 2,400 sq ft of space.", HOME, "2,400 sq ft", "Says 2,400 square feet; the listing has 1,850."),
    ("Home for sale in Ponce.", RENTAL, "for sale", "Says for sale; the listing is for rent."),
    ("Available for rent now.", HOME, "for rent", "Says for rent; the listing is for sale."),
    # more wrong claims
    ("Priced at $399,000.", HOME, "$399,000", "Says $399,000; the listing's price is $349,000."),
    ("Only $2,100/month!", HOME, "$2,100/month", "Says $2,100 a month; the listing is for sale at $349,000."),
    ("Rent is $2,500 a month.", RENTAL, "$2,500 a month", "Says $2,500 a month; the listing's rent is $2,100 a month."),
    ("Set on 2 acres.", HOME, "2 acres", "Says 2 acres; the listing has 0.25."),
    ("It last sold in 2019.", HOME, "last sold in 2019", "Says sold in 2019; the listing last sold in 2021."),
    ("Beautiful homes in Texas.", HOME, "Texas", "Says Texas; the listing is in Puerto Rico."),
    ("ZIP code 00601.", HOME, "ZIP code 00601", "Says ZIP code 00601; the listing is in 00731."),
    ("Built in 1995.", HOME, "Built in 1995",
     "Says built in 1995; the listing does not say when it was built or renovated."),
    ("A reliable Toyota.", CAR, "Toyota", "Says Toyota; the car is a Ford."),
    ("This Ford Focus is ready.", CAR, "Ford Focus",
     "Says Ford Focus; the car is a Ford Transit Connect Titanium."),
    ("It has AWD.", CAR, "AWD", "Says all- or four-wheel drive; the listing has front-wheel drive."),
    ("A manual transmission.", CAR, "manual", "Says manual transmission; the listing has automatic."),
    ("A strong V6.", CAR, "V6", "Says 6 cylinders; the listing has 4."),
    ("It runs on diesel.", CAR, "diesel", "Says diesel; the listing has gas."),
    ("In excellent condition.", CAR, "excellent condition", "Says excellent condition; the listing gives good."),
    ("Painted in red.", CAR, "Painted in red", "Says red paint; the listing has silver."),
    ("Salvage title.", CAR, "Salvage title", "Says title status salvage; the listing has clean."),
    ("A roomy sedan.", CAR, "sedan", "Says sedan; the listing has van."),
    ("Under 100,000 miles.", CAR, "Under 100,000 miles", "Says under 100,000 miles; the listing has 104,340."),
    ("Leather seats and a sunroof.", CAR, "Leather seats", "Mentions leather seats, which the listing does not state."),
    ("Gets 30 mpg.", CAR, "30 mpg", "Says 30 mpg; the listing does not give fuel economy."),
    ("Only 5 miles from the beach.", HOME, "5 miles from", "Says 5 miles; the listing gives no distances."),
    ("About 12% below comparable homes.", HOME, "12% below comparable",
     "Says 12% below comparable; the listing has no comparison with other listings."),
])
def test_it_catches_a_planted_error(text: str, facts: ListingFacts, span: str, message: str) -> None:
    findings = fact_check(text, facts)

    assert [(finding.span, finding.message) for finding in findings][:1] == [(span, message)]
    assert findings[0].kind == FACT
    assert text[findings[0].start:findings[0].end] == span


def test_it_says_unsupported_when_the_listing_does_not_hold_the_fact() -> None:
    facts = replace(HOME, bed=None, house_size=None, prev_sold_date=None)

    assert spans_and_messages("3 bedrooms, 1,850 sq ft, last sold in 2021.", facts) == [
        ("3 bedrooms", "Says 3 bedrooms; the listing does not give the number of bedrooms."),
        ("1,850 sq ft", "Says 1,850 square feet; the listing does not give the size."),
        ("last sold in 2021", "Says sold in 2021; the listing gives no earlier sale."),
    ]


def test_it_reports_every_claim_in_text_order_with_offsets() -> None:
    text = "Waterfront 4-bedroom home with a fireplace in San Juan."

    assert fact_check(text, HOME) == [
        Finding(kind=FACT, start=0, end=10, span="Waterfront",
                message="Mentions a waterfront, which the listing does not state."),
        Finding(kind=FACT, start=11, end=20, span="4-bedroom", message="Says 4 bedrooms; the listing has 3."),
        Finding(kind=FACT, start=33, end=42, span="fireplace",
                message="Mentions a fireplace, which the listing does not state."),
        Finding(kind=FACT, start=46, end=54, span="San Juan", message="Says San Juan; the listing is in Ponce."),
    ]


@pytest.mark.parametrize(("text", "facts"), [
    ("Three bedrooms and two baths.", HOME),
    ("3 bd, 2 ba.", HOME),
    ("3bd/2ba", HOME),
    ("A 3-bedroom, 2-bathroom home.", HOME),
    ("3 beds, 2 full baths, master bedroom upstairs.", HOME),
    ("2.5 baths", HALF_BATH_HOME),
    ("2½ baths", HALF_BATH_HOME),
    ("two and a half baths", HALF_BATH_HOME),
    ("2 full baths and a half bath", HALF_BATH_HOME),
    ("2 baths", HALF_BATH_HOME),
    ("1,850 sq ft", HOME),
    ("1850 sqft", HOME),
    ("1,868 square feet", HOME),
    ("about 1,900 sq. ft.", HOME),
    ("0.25 acres", HOME),
    ("a 0.25-acre lot", HOME),
    ("a quarter-acre lot", HOME),
    ("$349,000", HOME),
    ("$349k", HOME),
    ("$352,000", HOME),
    ("about $350k", HOME),
    ("under $350,000", HOME),
    ("Located in Ponce, Puerto Rico.", HOME),
    ("In Ponce, PR (ZIP code 00731).", HOME),
    ("A home in Puerto Rico, for sale.", HOME),
    ("It last sold in 2021.", HOME),
    ("It changed hands in March 2021.", HOME),
    ("$2,100/month", RENTAL),
    ("$2,100 a month", RENTAL),
    ("$2,100 per month", RENTAL),
    ("For rent: monthly rent of $2,100.", RENTAL),
    ("2016 Ford Transit Connect Titanium for sale in Medford-Ashland, OR.", CAR),
    ("This 2016 Ford Transit is a mid-size van.", CAR),
    ("104,340 miles", CAR),
    ("104k miles", CAR),
    ("about 104k miles", CAR),
    ("104,000 miles", CAR),
    ("under 105,000 miles", CAR),
    ("odometer reads 104,340", CAR),
    ("Front-wheel drive (FWD), automatic transmission, 4-cylinder gas engine.", CAR),
    ("Finished in silver; silver paint; clean title; good condition.", CAR),
    ("Hablamos inglés. Serviced in 2020 by the owner.", CAR),
])
def test_it_does_not_flag_a_true_statement(text: str, facts: ListingFacts) -> None:
    assert spans_and_messages(text, facts) == []


@pytest.mark.parametrize(("text", "facts", "flagged"), [
    ("1,868 sq ft", HOME, False), ("1,870 sq ft", HOME, True),  # within 1 % of 1,850 sq ft
    ("$352,000", HOME, False), ("$353,000", HOME, True),  # within 1 % of $349,000
    ("45k miles", replace(CAR, odometer=45_600), False), ("45k miles", replace(CAR, odometer=46_100), True),
    ("45,000 miles", replace(CAR, odometer=45_400), False), ("45,000 miles", replace(CAR, odometer=45_500), True),
    ("about 45,000 miles", replace(CAR, odometer=45_900), False),
    ("0.3 acres", replace(HOME, acre_lot=0.28), False), ("0.3 acres", replace(HOME, acre_lot=0.24), True),
])
def test_it_tolerates_rounding_as_written(text: str, facts: ListingFacts, flagged: bool) -> None:
    assert bool(fact_check(text, facts)) is flagged


def test_it_does_not_read_the_listings_own_model_and_city_as_claims() -> None:
    car = replace(CAR, make="Ford", model="F-150 XLT 4x4 Leather", city="Lake Elsinore", drive="4wd")

    assert spans_and_messages("2016 Ford F-150 XLT 4x4 Leather in Lake Elsinore.", car) == []
    assert spans_and_messages("Leather seats.", car) == [
        ("Leather seats", "Mentions leather seats, which the listing does not state."),
    ]


def test_it_reads_car_words_in_a_homes_text_as_nothing() -> None:
    assert spans_and_messages("Gas stove and an automatic gate.", HOME) == []
