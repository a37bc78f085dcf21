"""The template engine: every listing of the sample data, in every tone, passes the fact and fair-housing
checks; drafts are deterministic per seed, vary across seeds, read rentals as rentals, and skip what is
unknown."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from descriptions.checks import description_check
from descriptions.engines import TONES, UnknownTone
from descriptions.engines.template import TemplateEngine
from descriptions.facts import ListingFacts, facts_with_comparables, listing_facts
from listings.importers.services import file_records

# The sample data was published in 2022: as of then, its 2019–2022 sales are recent enough to mention.
DATA_DAY = date(2022, 6, 30)
HOME = ListingFacts(
    kind="home", offer="sale", price=Decimal("349000.00"), city="Ponce", state="PR", zip_code="00731", bed=3,
    bath=Decimal("2.0"), house_size=1850, acre_lot=0.25, prev_sold_date=date(2021, 3, 15),
)
CAR = ListingFacts(
    kind="car", offer="sale", price=Decimal("15573.00"), city="Medford-Ashland", state="OR", year=2016, make="Ford",
    model="Transit Connect Titanium", odometer=104_340, condition="good", cylinders="4 cylinders", fuel="gas",
    transmission="automatic", drive="fwd", size="mid-size", body_type="van", paint_color="silver",
    title_status="clean",
)


def listings_in(path: Path, *, format_name: str, offer: str = "sale") -> list[ListingFacts]:
    """The facts of every row the importer accepts, parsed by the importer's own layout."""
    return [listing_facts(record) for record in file_records(path, format_name=format_name, offer=offer)]


@pytest.mark.slow  # about 10 s: some 27,000 drafts and checks
def test_it_drafts_every_sample_listing_in_every_tone_without_a_finding(shared_data: Path) -> None:
    files = {
        "realtor_pr_v1.csv": listings_in(shared_data / "realtor_pr_v1.csv", format_name="realtor"),
        "realtor_pr_v2_1k.csv": listings_in(shared_data / "realtor_pr_v2_1k.csv", format_name="realtor"),
        "realtor_pr_v2_1k.csv as rentals": listings_in(shared_data / "realtor_pr_v2_1k.csv", format_name="realtor",
                                                       offer="rent"),
        "vehicles_5k.csv": listings_in(shared_data / "vehicles_5k.csv", format_name="vehicles"),
    }
    # Rows the importer rejects (no city and no ZIP, absurd values, cars priced $0) are no listings.
    assert {name: len(listings) for name, listings in files.items()} == {
        "realtor_pr_v1.csv": 24_177, "realtor_pr_v2_1k.csv": 999, "realtor_pr_v2_1k.csv as rentals": 888,
        "vehicles_5k.csv": 4_701,
    }
    # Identical rows have identical facts: each distinct listing is drafted once per tone.
    listings = facts_with_comparables(list(dict.fromkeys(facts for listings in files.values() for facts in listings)))
    engine = TemplateEngine(today=DATA_DAY)

    drafts = [
        (facts, engine.draft(facts, tone=tone, seed=seed)) for seed, facts in enumerate(listings) for tone in TONES
    ]
    problems = [(text, finding) for facts, text in drafts for finding in description_check(text, facts)]

    assert len(drafts) == 3 * 8_870
    assert problems == []
    recent_sales = [facts for facts in listings if facts.prev_sold_date and facts.prev_sold_date >= date(2019, 6, 30)]
    compared = [facts for facts in listings if facts.price_per_sqft_median and facts.house_size]
    assert (len(recent_sales), len(compared)) == (7, 2_824)
    assert sum("sold in" in text or "changed hands in" in text for _, text in drafts) == 3 * len(recent_sales)
    assert sum("comparable" in text for _, text in drafts) == 3 * len(compared)


def test_it_reads_rentals_as_rentals(shared_data: Path) -> None:
    homes = listings_in(shared_data / "realtor_pr_v2_1k.csv", format_name="realtor", offer="rent")
    cars = [replace(CAR, offer="rent", price=Decimal(450))] * 5
    engine = TemplateEngine(today=DATA_DAY)

    texts = [engine.draft(facts, tone=tone, seed=seed) for seed, facts in enumerate(homes + cars) for tone in TONES]

    monthly = (" a month", " per month", "monthly rent")
    assert [text for text in texts if not any(rent in text for rent in monthly)] == []
    assert [text for text in texts if "sale" in text.lower()] == []


def test_it_gives_the_same_text_for_the_same_seed_and_varies_across_seeds() -> None:
    engine = TemplateEngine(today=DATA_DAY)

    for facts in (HOME, CAR):
        for tone in TONES:
            assert engine.draft(facts, tone=tone, seed=7) == engine.draft(facts, tone=tone, seed=7)
            assert len({engine.draft(facts, tone=tone, seed=seed) for seed in range(5)}) >= 2


def test_it_writes_each_tone_in_its_own_words() -> None:
    engine = TemplateEngine(today=DATA_DAY)

    assert engine.draft(HOME, tone="concise", seed=0) == (
        "3-bed, 2-bath home for sale in Ponce, PR. 1,850 sq ft on a 0.25-acre lot. Asking $349,000. "
        "Previously sold in 2021."
    )
    assert engine.draft(HOME, tone="warm", seed=0) == (
        "Come and see this three-bedroom, two-bath home for sale in Ponce, Puerto Rico. Inside, you will find 1,850 "
        "square feet of living space, set on a 0.25-acre lot. It is offered at $349,000. It was last sold in 2021. "
        "Get in touch to see it in person."
    )
    assert engine.draft(CAR, tone="premium", seed=0) == (
        "Presenting a 2016 Ford Transit Connect Titanium, offered for sale in Medford-Ashland, Oregon. Finished in "
        "silver, this mid-size van shows 104,340 miles and is in good condition. It pairs a 4-cylinder gas engine "
        "with an automatic transmission and front-wheel drive. Offered at $15,573 with a clean title. Private "
        "viewings by appointment."
    )


def test_it_compares_the_price_per_square_foot_only_when_given_comparables() -> None:
    engine = TemplateEngine(today=DATA_DAY)

    below = engine.draft(replace(HOME, price_per_sqft_median=214.4), tone="concise", seed=0)
    in_line = engine.draft(replace(HOME, price_per_sqft_median=190.0), tone="concise", seed=0)

    assert "Asking $349,000, about 12% below comparable homes per square foot." in below
    assert "Asking $349,000, in line with comparable homes per square foot." in in_line
    assert "comparable" not in engine.draft(HOME, tone="concise", seed=0)


def test_it_mentions_a_sale_only_when_recent() -> None:
    assert "2021" in TemplateEngine(today=date(2024, 3, 14)).draft(HOME, tone="concise", seed=0)
    assert "2021" not in TemplateEngine(today=date(2024, 3, 16)).draft(HOME, tone="concise", seed=0)


def test_it_skips_unknown_facts() -> None:
    engine = TemplateEngine(today=DATA_DAY)
    bare_home = ListingFacts(kind="home", offer="rent", price=Decimal(1200), city="Ponce", state="PR")
    bare_car = ListingFacts(kind="car", price=Decimal(4000), state="TX", year=2009, make="Honda", model="Fit")

    assert engine.draft(bare_home, tone="concise", seed=0) == "Property for rent in Ponce, PR. Rent: $1,200 a month."
    assert engine.draft(bare_car, tone="concise", seed=0) == "2009 Honda Fit for sale in Texas. Asking $4,000."
    assert engine.draft(ListingFacts(kind="home"), tone="warm", seed=0) == (
        "Come and see this property for sale. Get in touch to see it in person."
    )


def test_it_refuses_an_unknown_tone() -> None:
    with pytest.raises(UnknownTone, match=re.escape("Unknown tone 'poetic': one of concise, warm, premium.")):
        TemplateEngine().draft(HOME, tone="poetic", seed=0)
