"""One problem found in a description. No Django here."""

from __future__ import annotations

from dataclasses import dataclass

FACT = "fact"
FAIR_HOUSING = "fair_housing"


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim that is wrong or unsupported (``kind`` "fact") or a phrase that breaks fair-housing
    advertising rules (``kind`` "fair_housing"): ``span`` is ``text[start:end]`` of the checked text."""

    kind: str
    start: int
    end: int
    span: str
    message: str
