"""ListingFacts from anything shaped like a listing: a model instance, an importer record, a plain object."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from descriptions.facts import FACT_FIELDS, ListingFacts, listing_facts
from listings.importers.records import ListingRecord
from listings.models import Kind, Listing, Offer


def test_it_reads_a_listing_without_the_database() -> None:
    listing = Listing(kind=Kind.CAR, offer=Offer.SALE, title="2016 Ford Transit Connect", price=Decimal("15573.00"),
                      city="Medford", state="OR", year=2016, make="Ford", model="Transit Connect", odometer=104_340)

    facts = listing_facts(listing, price_per_sqft_median=None)

    assert facts == ListingFacts(
        kind="car", offer="sale", title="2016 Ford Transit Connect", price=Decimal("15573.00"), city="Medford",
        state="OR", year=2016, make="Ford", model="Transit Connect", odometer=104_340,
    )
    assert type(facts.kind) is str and type(facts.offer) is str


def test_it_reads_an_importer_record_and_keeps_the_comparison_it_is_given() -> None:
    record = ListingRecord(
        source="realtor", external_id="x", kind="home", offer="rent", status="active", title="3 bd in Ponce, PR",
        price=Decimal("2100.00"), state="PR", city="Ponce", bed=3, bath=Decimal("2.0"), house_size=1850,
        prev_sold_date=date(2021, 3, 15),
    )

    facts = listing_facts(record, price_per_sqft_median=1.25)

    assert (facts.kind, facts.offer, facts.bed, facts.bath, facts.house_size, facts.prev_sold_date) == (
        "home", "rent", 3, Decimal("2.0"), 1850, date(2021, 3, 15),
    )
    assert facts.price_per_sqft_median == 1.25


def test_it_treats_missing_attributes_as_unknown_and_strips_text() -> None:
    facts = listing_facts(SimpleNamespace(kind="home", city="  Ponce ", make=None))

    assert facts == ListingFacts(kind="home", offer="", city="Ponce")
    assert FACT_FIELDS[0] == "kind" and FACT_FIELDS[-1] == "price_per_sqft_median" and len(FACT_FIELDS) == 26
