"""Template drafts per second over the sample data, beside plain f-string formatting of the same facts in the
same run.

    .venv/bin/python bench/template_drafts.py [--data ../shared/data] [--rounds 5]

Listings: every row the importers accept from ``realtor_pr_v1.csv``, ``realtor_pr_v2_1k.csv`` (also read as
rentals) and ``vehicles_5k.csv``, parsed by the importers' layouts (no database), with the median price per
square foot of each city's homes as their comparables. Each round drafts every listing in all three tones:
  * baseline: one f-string of the same facts per draft, no choices, no skipping of unknown facts;
  * ours: ``TemplateEngine.draft`` (seed = the listing's index).
Rounds alternate baseline / ours; the medians and their ratio are printed (goal: at least 500 drafts/s).
Then ``description_check`` on one round of drafts, in checks/s, and the number of findings (expected: 0).
Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
from bench.database import django_setup  # noqa: E402
from descriptions.checks import description_check  # noqa: E402
from descriptions.engines import TONES  # noqa: E402
from descriptions.engines.template import TemplateEngine  # noqa: E402
from descriptions.facts import ListingFacts, facts_with_comparables, listing_facts  # noqa: E402

FILES = (("realtor_pr_v1.csv", "realtor", "sale"), ("realtor_pr_v2_1k.csv", "realtor", "sale"),
         ("realtor_pr_v2_1k.csv", "realtor", "rent"), ("vehicles_5k.csv", "vehicles", "sale"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    django_setup()  # the importers' layouts read the Listing model's field lengths
    started = time.perf_counter()
    listings = facts_with_comparables([
        facts for name, format_name, offer in FILES
        for facts in _listings_in(args.data / name, format_name=format_name, offer=offer)
    ])
    print(f"{len(listings):,} listings read from {args.data} in {time.perf_counter() - started:.1f} s; "
          f"{len(listings) * len(TONES):,} drafts per round")
    engine = TemplateEngine(today=date(2022, 6, 30))  # the data's year: its recent sales are mentioned

    def ours() -> list[str]:
        return [engine.draft(facts, tone=tone, seed=seed) for seed, facts in enumerate(listings) for tone in TONES]

    def baseline() -> list[str]:
        return [_plain(facts, tone) for facts in listings for tone in TONES]

    ours_rates, baseline_rates = [], []
    for round_index in range(args.rounds):
        baseline_rates.append(_rate(baseline))
        ours_rates.append(_rate(ours))
        print(f"round {round_index + 1}: ours {ours_rates[-1]:,.0f} drafts/s, "
              f"baseline {baseline_rates[-1]:,.0f} drafts/s")
    ours_median, baseline_median = statistics.median(ours_rates), statistics.median(baseline_rates)
    print(f"median: ours {ours_median:,.0f} drafts/s, plain f-strings {baseline_median:,.0f} drafts/s, "
          f"ratio {ours_median / baseline_median:.3f} (goal: ours at least 500 drafts/s)")
    drafts = [
        (facts, engine.draft(facts, tone=tone, seed=seed)) for seed, facts in enumerate(listings) for tone in TONES
    ]
    started = time.perf_counter()
    findings = sum(len(description_check(text, facts)) for facts, text in drafts)
    seconds = time.perf_counter() - started
    print(f"description_check: {len(drafts) / seconds:,.0f} checks/s; findings in all drafts: {findings}")


def _rate(draft_all: Callable[[], list[str]]) -> float:
    started = time.perf_counter()
    count = len(draft_all())
    return count / (time.perf_counter() - started)


def _plain(facts: ListingFacts, tone: str) -> str:
    """The least a draft could be: the same facts in one fixed f-string."""
    if facts.kind == "car":
        return (f"{facts.year} {facts.make} {facts.model} for {facts.offer} in {facts.city}, {facts.state}. "
                f"{facts.odometer} miles, {facts.condition}, {facts.cylinders}, {facts.fuel}, {facts.transmission}, "
                f"{facts.drive}, {facts.size} {facts.body_type}, {facts.paint_color}, {facts.title_status} title. "
                f"${facts.price} ({tone}).")
    return (f"{facts.bed} bd, {facts.bath} ba home for {facts.offer} in {facts.city}, {facts.state}. "
            f"{facts.house_size} sq ft on {facts.acre_lot} acres. ${facts.price}, last sold {facts.prev_sold_date}, "
            f"median ${facts.price_per_sqft_median}/sq ft ({tone}).")


def _listings_in(path: Path, *, format_name: str, offer: str) -> list[ListingFacts]:
    from listings.importers.services import file_records

    return [listing_facts(record) for record in file_records(path, format_name=format_name, offer=offer)]


if __name__ == "__main__":
    main()
