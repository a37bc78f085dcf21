"""Checks a description must pass: the fact check and the fair-housing check. No Django here.

``fact_check`` (``claims``) compares what a text claims with the listing's facts;
``fair_housing_check`` (``fair_housing``) finds phrases about who should live somewhere.
"""

from __future__ import annotations

from descriptions.checks.claims import fact_check
from descriptions.checks.fair_housing import fair_housing_check
from descriptions.checks.findings import FACT, FAIR_HOUSING, Finding
from descriptions.facts import ListingFacts

__all__ = ["FACT", "FAIR_HOUSING", "Finding", "description_check", "fact_check", "fair_housing_check"]


def description_check(text: str, facts: ListingFacts) -> list[Finding]:
    """The findings of both checks on ``text``, in text order (fact findings first at the same offset)."""
    findings = fact_check(text, facts) + fair_housing_check(text)
    findings.sort(key=lambda finding: (finding.start, finding.kind != "fact"))
    return findings
